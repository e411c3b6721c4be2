-- Linked responses are a subset: for each outcome measure, the met and missed respondents of a
-- rolling 12-month cell never exceed the valid responses of the same citizen_focus_satisfaction
-- cell, and both rows of a pair carry the same comparison.
with

cells as (

    select * from {{ ref('citizen_focus_satisfaction') }}
    where window_months = 12

),

outcomes as (

    select
        force_code,
        borough_code,
        question,
        outcome_measure,
        period_end_month,
        sum(respondents) as linked_respondents,
        count(distinct coalesce(cast(met_minus_missed_pp as varchar), 'null')) as comparisons
    from {{ ref('satisfaction_by_service_outcome') }}
    where window_name = 'rolling_12'
    group by force_code, borough_code, question, outcome_measure, period_end_month

)

select
    outcomes.*,
    cells.respondents
from outcomes
left join cells
    on
        outcomes.force_code = cells.force_code
        and outcomes.borough_code = cells.borough_code
        and outcomes.question = cells.question
        and outcomes.period_end_month = cells.period_end_month
where
    cells.force_code is null
    or outcomes.linked_respondents > cells.respondents
    or outcomes.comparisons != 1
