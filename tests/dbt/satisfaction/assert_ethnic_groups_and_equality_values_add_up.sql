-- Every valid response is in exactly one ethnic group and one value of each equality dimension:
-- White + BME + Not stated + Unrecognised, and the values of each dimension, add up to the cell's respondents.
with

cells as (

    select * from {{ ref('citizen_focus_satisfaction') }}

),

gap as (

    select * from {{ ref('bme_satisfaction_gap') }}

),

equality as (

    select
        force_code,
        borough_code,
        question,
        window_months,
        period_end_month,
        dimension,
        sum(respondents) as respondents
    from {{ ref('satisfaction_by_equality_group') }}
    group by force_code, borough_code, question, window_months, period_end_month, dimension

),

gap_mismatches as (

    select
        cells.force_code,
        cells.borough_code,
        cells.question,
        cells.window_months,
        cells.period_end_month,
        'ethnic groups in bme_satisfaction_gap' as breakdown
    from cells
    left join gap
        on
            cells.force_code = gap.force_code
            and cells.borough_code = gap.borough_code
            and cells.question = gap.question
            and cells.window_months = gap.window_months
            and cells.period_end_month = gap.period_end_month
    where
        gap.force_code is null
        or gap.white_respondents + gap.bme_respondents + gap.not_stated_respondents
        + gap.unrecognised_ethnicity_respondents != cells.respondents

),

equality_mismatches as (

    select
        cells.force_code,
        cells.borough_code,
        cells.question,
        cells.window_months,
        cells.period_end_month,
        equality.dimension as breakdown
    from cells
    inner join equality
        on
            cells.force_code = equality.force_code
            and cells.borough_code = equality.borough_code
            and cells.question = equality.question
            and cells.window_months = equality.window_months
            and cells.period_end_month = equality.period_end_month
    where equality.respondents != cells.respondents

)

select * from gap_mismatches
union all
select * from equality_mismatches
