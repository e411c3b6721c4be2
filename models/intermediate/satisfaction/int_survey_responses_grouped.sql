{#- One row per survey response with the groups its figures are broken down by: the survey
    month, the White / BME / Not stated ethnic group from the ethnicity_groups seed (16+1 codes,
    their descriptions and the ONS 2001 / 2011 / 2021 census labels, matched on label_match_key:
    docs/measures.md, "Survey design and unrecognised values"), and the equality dimensions
    (missing = 'Not stated'). A missing ethnicity is Not stated; a value that matches no label
    is Unrecognised (in neither group, counted and reported, never Not stated). -#}

with

responses as (

    select * from {{ ref('stg_user_survey__survey_responses') }}

),

ethnicity_groups as (

    select distinct
        {{ label_match_key('ethnicity_label') }} as ethnicity_key,
        ethnicity_code,
        ethnic_group
    from {{ ref('ethnicity_groups') }}

),

grouped as (

    select
        responses.force_code,
        responses.response_id,
        responses.interview_date,
        cast(date_trunc('month', responses.interview_date) as date) as interview_month,
        responses.borough_code,
        responses.survey_group,
        responses.ethnicity_code as ethnicity_as_given,
        ethnicity_groups.ethnicity_code as ethnicity_code_standard,
        case
            when responses.ethnicity_code is null then 'Not stated'
            when ethnicity_groups.ethnic_group is null then 'Unrecognised'
            else ethnicity_groups.ethnic_group
        end as ethnic_group,
        coalesce(responses.age_band, 'Not stated') as age_band,
        coalesce(responses.gender, 'Not stated') as gender,
        coalesce(responses.disability, 'Not stated') as disability,
        responses.incident_id,
        responses.crime_reference,
        responses.weight

    from responses
    left join ethnicity_groups
        on {{ label_match_key('responses.ethnicity_code') }} = ethnicity_groups.ethnicity_key

),

final as (

    select * from grouped

)

select * from final
