{#- One row per survey response and question answered (an empty answer has no row), with the
    answer classified by the survey_answer_scale seed: valid (in the denominator) and satisfied
    (in the numerator). Only questions listed in the survey_questions seed are kept. -#}

with

responses as (

    select * from {{ ref('stg_user_survey__survey_responses') }}

),

questions as (

    select * from {{ ref('survey_questions') }}

),

answer_scale as (

    select * from {{ ref('survey_answer_scale') }}

),

answers as (

    select
        response_id,
        force_code,
        columns('_answer$')
    from responses

),

unpivoted as (

    unpivot answers
    on columns('_answer$')
    into name answer_column value answer_code

),

scored as (

    select
        unpivoted.force_code,
        unpivoted.response_id,
        questions.question,
        unpivoted.answer_code,
        answer_scale.answer_label,
        coalesce(answer_scale.is_valid, false) as is_valid,
        coalesce(answer_scale.is_valid and answer_scale.is_satisfied, false) as is_satisfied

    from unpivoted
    inner join questions
        on unpivoted.answer_column = questions.answer_column
    left join answer_scale
        on unpivoted.answer_code = answer_scale.answer_code

),

final as (

    select * from scored

)

select * from final
