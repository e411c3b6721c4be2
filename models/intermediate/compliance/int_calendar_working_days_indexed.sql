{#- One row per calendar date over the years the bank-holiday seed covers, with a running index
    of working days (Monday-Friday, not an England & Wales bank holiday). The N-th working day
    after date D (D not counted) is the working day whose index is D's index + N: a join, no loop. -#}

with

bank_holidays as (

    select * from {{ ref('bank_holidays') }}

),

bounds as (

    select
        cast(date_trunc('year', min(holiday_date)) as date) as first_date,
        cast(date_trunc('year', max(holiday_date)) + interval 1 year - interval 1 day as date) as last_date

    from bank_holidays

),

dates as (

    select cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date) as calendar_date
    from bounds

),

flagged as (

    select
        dates.calendar_date,
        isodow(dates.calendar_date) <= 5 and bank_holidays.holiday_date is null as is_working_day

    from dates
    left join bank_holidays
        on dates.calendar_date = bank_holidays.holiday_date

),

indexed as (

    select
        calendar_date,
        is_working_day,
        count(*) filter (where is_working_day) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as working_day_index

    from flagged

),

final as (

    select * from indexed

)

select * from final
