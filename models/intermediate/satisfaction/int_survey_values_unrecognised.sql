{#- Every value of a figure-deciding survey field that the reference data does not recognise
    (docs/measures.md, "Survey design and unrecognised values"), with how many responses carry
    it: ethnicity (no label of the ethnicity_groups seed matches; those responses are in
    neither the White nor the BME group), survey group (not in the survey_groups seed) and
    answers (a code the survey_answer_scale seed does not list). One row per force, field and
    value; none when everything is recognised. The data-quality warning
    intermediate.int_survey_values_unrecognised names these values and counts. -#}

with

grouped as (

    select * from {{ ref('int_survey_responses_grouped') }}

),

answers as (

    select * from {{ ref('int_survey_answers_scored') }}

),

survey_groups as (

    select * from {{ ref('survey_groups') }}

),

ethnicity as (

    select
        force_code,
        'ethnicity_code' as field_name,
        ethnicity_as_given as value_as_given,
        count(*) as responses
    from grouped
    where ethnic_group = 'Unrecognised'
    group by force_code, ethnicity_as_given

),

groups as (

    select
        grouped.force_code,
        'survey_group' as field_name,
        grouped.survey_group as value_as_given,
        count(*) as responses
    from grouped
    left join survey_groups
        on grouped.survey_group = survey_groups.survey_group
    where survey_groups.survey_group is null
    group by grouped.force_code, grouped.survey_group

),

answer_codes as (

    select
        force_code,
        question || ' answer' as field_name,
        cast(answer_code as varchar) as value_as_given,
        count(*) as responses
    from answers
    where answer_code is not null and answer_label is null
    group by force_code, question, answer_code

),

unioned as (

    select * from ethnicity
    union all
    select * from groups
    union all
    select * from answer_codes

),

final as (

    select
        force_code,
        field_name,
        value_as_given,
        cast(responses as bigint) as responses
    from unioned

)

select * from final
