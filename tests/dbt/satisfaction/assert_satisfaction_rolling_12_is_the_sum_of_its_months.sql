-- A rolling 12-month cell holds exactly the valid responses of its month and the 11 before it:
-- the sum of the single-month cells of the same force, borough and question.
with

monthly as (

    select * from {{ ref('citizen_focus_satisfaction') }}
    where window_months = 1

),

rolling as (

    select * from {{ ref('citizen_focus_satisfaction') }}
    where window_months = 12

),

summed as (

    select
        rolling.force_code,
        rolling.borough_code,
        rolling.question,
        rolling.period_end_month,
        any_value(rolling.respondents) as respondents,
        any_value(rolling.sum_w) as sum_w,
        coalesce(sum(monthly.respondents), 0) as months_respondents,
        coalesce(sum(monthly.sum_w), 0) as months_sum_w
    from rolling
    left join monthly
        on
            rolling.force_code = monthly.force_code
            and rolling.borough_code = monthly.borough_code
            and rolling.question = monthly.question
            and monthly.period_end_month between rolling.window_start_month and rolling.period_end_month
    group by rolling.force_code, rolling.borough_code, rolling.question, rolling.period_end_month

)

select * from summed
where respondents != months_respondents or abs(sum_w - months_sum_w) > 1e-9 * greatest(sum_w, 1)
