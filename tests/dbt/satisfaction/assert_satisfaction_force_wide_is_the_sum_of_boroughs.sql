-- The force-wide row (borough_code ALL) counts every response of the force once: it equals the
-- sum of the force's borough rows, for every question, window and month.
with

cells as (

    select * from {{ ref('citizen_focus_satisfaction') }}

),

boroughs as (

    select
        force_code,
        question,
        window_months,
        period_end_month,
        sum(respondents) as respondents,
        sum(sum_w) as sum_w,
        sum(excluded_answers) as excluded_answers
    from cells
    where borough_code != 'ALL'
    group by force_code, question, window_months, period_end_month

)

select
    boroughs.*,
    cells.respondents as force_respondents
from boroughs
inner join cells
    on
        boroughs.force_code = cells.force_code
        and boroughs.question = cells.question
        and boroughs.window_months = cells.window_months
        and boroughs.period_end_month = cells.period_end_month
        and cells.borough_code = 'ALL'
where
    boroughs.respondents != cells.respondents
    or boroughs.excluded_answers != cells.excluded_answers
    or abs(boroughs.sum_w - cells.sum_w) > 1e-9 * greatest(cells.sum_w, 1)
