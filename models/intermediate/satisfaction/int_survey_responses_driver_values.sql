{#- One row per survey response and item of the key-driver analysis it has a determinate value
    for (docs/measures.md, "Key drivers of whole-experience satisfaction"): the outcome question
    (var key_driver_outcome_question, item_role `outcome`) and each driver of the
    satisfaction_drivers seed (item_role `driver`). A question item is present when its answer
    is valid, is_positive = satisfied (survey_answer_scale seed). An operational item is present
    when the response is linked to a met or missed outcome of one of the driver's outcome measures
    (an undetermined update outcome is not a value); is_positive = every such outcome met.
    Appointment kept has no survey link (no measure in satisfaction_outcome_measures), so it is
    not a driver. -#}

with

responses as (

    select * from {{ ref('int_survey_responses_grouped') }}

),

answers as (

    select * from {{ ref('int_survey_answers_scored') }}
    where is_valid

),

drivers as (

    select * from {{ ref('satisfaction_drivers') }}

),

attendance as (

    select * from {{ ref('int_survey_responses_joined_to_attendance') }}

),

victim_updates as (

    select * from {{ ref('int_survey_responses_joined_to_victim_updates') }}
    where outcome_group in ('met', 'missed')

),

driver_measures as (

    select
        driver,
        trim(unnest(string_split(outcome_measures, ' '))) as outcome_measure
    from drivers
    where driver_kind = 'outcome_measure'

),

question_items as (

    select
        answers.force_code,
        answers.response_id,
        drivers.driver as item,
        'driver' as item_role,
        answers.is_satisfied as is_positive
    from answers
    inner join drivers
        on
            answers.question = drivers.question
            and drivers.driver_kind = 'question'

    union all

    select
        force_code,
        response_id,
        question as item,
        'outcome' as item_role,
        is_satisfied as is_positive
    from answers
    where question = '{{ var("key_driver_outcome_question") }}'

),

linked_outcomes as (

    select
        force_code,
        response_id,
        outcome_measure,
        outcome_group
    from attendance

    union all

    select
        force_code,
        response_id,
        outcome_measure,
        outcome_group
    from victim_updates

),

outcome_items as (

    select
        linked_outcomes.force_code,
        linked_outcomes.response_id,
        driver_measures.driver as item,
        'driver' as item_role,
        bool_and(linked_outcomes.outcome_group = 'met') as is_positive
    from linked_outcomes
    inner join driver_measures
        on linked_outcomes.outcome_measure = driver_measures.outcome_measure
    group by
        linked_outcomes.force_code,
        linked_outcomes.response_id,
        driver_measures.driver

),

items as (

    select * from question_items

    union all

    select * from outcome_items

),

final as (

    select
        responses.force_code,
        responses.response_id,
        responses.interview_month,
        responses.ethnic_group,
        responses.weight,
        items.item,
        items.item_role,
        items.is_positive
    from items
    inner join responses
        on
            items.force_code = responses.force_code
            and items.response_id = responses.response_id

)

select * from final
