{#- One row per survey response with the groups its figures are broken down by: the survey
    month, the White / BME / Not stated ethnic group from the ethnicity_groups seed (code or
    census words, matched lower-cased and trimmed; unknown or missing = Not stated) and the
    equality dimensions (missing = 'Not stated'). -#}

with

responses as (

    select * from {{ ref('stg_user_survey__survey_responses') }}

),

ethnicity_groups as (

    select * from {{ ref('ethnicity_groups') }}

),

grouped as (

    select
        responses.force_code,
        responses.response_id,
        responses.interview_date,
        cast(date_trunc('month', responses.interview_date) as date) as interview_month,
        responses.borough_code,
        responses.survey_group,
        ethnicity_groups.ethnicity_code as ethnicity_code_standard,
        coalesce(ethnicity_groups.ethnic_group, 'Not stated') as ethnic_group,
        coalesce(responses.age_band, 'Not stated') as age_band,
        coalesce(responses.gender, 'Not stated') as gender,
        coalesce(responses.disability, 'Not stated') as disability,
        responses.incident_id,
        responses.crime_reference,
        responses.weight

    from responses
    left join ethnicity_groups
        on lower(trim(responses.ethnicity_code)) = ethnicity_groups.ethnicity_key

),

final as (

    select * from grouped

)

select * from final
