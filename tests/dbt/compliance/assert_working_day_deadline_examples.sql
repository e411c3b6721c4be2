{#- The working-day calendar built from the real bank-holiday seed gives docs/measures.md's examples:
    Thu 9 Apr 2009 + 2 working days = Wed 15 Apr (Good Friday, Easter Monday), + 10 = Mon 27 Apr;
    Fri 7 Nov 2008 + 2 = Tue 11 Nov; Wed 24 Dec 2008 + 2 = Tue 30 Dec (Christmas, Boxing Day);
    Fri 1 May 2009 + 1 = Tue 5 May (Early May bank holiday). Returns the examples that fail. -#}

with

calendar as (

    select * from {{ ref('int_calendar_working_days_indexed') }}

),

examples as (

    select
        expected.start_date,
        expected.working_days,
        expected.expected_date
    from (
        values
        (date '2009-04-09', 2, date '2009-04-15'),
        (date '2009-04-09', 1, date '2009-04-14'),
        (date '2009-04-09', 10, date '2009-04-27'),
        (date '2008-11-07', 2, date '2008-11-11'),
        (date '2008-12-24', 2, date '2008-12-30'),
        (date '2009-05-01', 1, date '2009-05-05')
    ) as expected (start_date, working_days, expected_date)

),

computed as (

    select
        examples.start_date,
        examples.working_days,
        examples.expected_date,
        deadline_day.calendar_date as computed_date

    from examples
    left join calendar as start_day
        on examples.start_date = start_day.calendar_date
    left join calendar as deadline_day
        on
            deadline_day.is_working_day
            and deadline_day.working_day_index = start_day.working_day_index + examples.working_days

),

final as (

    select * from computed
    where computed_date is distinct from expected_date

)

select * from final
