with

source as (

    select * from {{ source('user_survey', 'survey_responses') }}

),

latest as (

    select * from source
    {{ latest_version('response_id') }}

),

renamed as (

    select
        trim(response_id) as response_id,
        {{ force_code() }} as force_code,
        raw.parse_date(interview_date) as interview_date,
        raw.parse_date(incident_date) as incident_date,
        raw.clean_text(crime_reference) as crime_reference,
        raw.clean_text(incident_id) as incident_id,
        lower(trim(survey_group)) as survey_group,
        upper(raw.clean_text(borough_code)) as borough_code,
        raw.clean_text(ethnicity_code) as ethnicity_code,
        raw.clean_text(age_band) as age_band,
        lower(raw.clean_text(gender)) as gender,
        lower(raw.clean_text(disability)) as disability,
        raw.parse_answer(q_ease_of_contact) as ease_of_contact_answer,
        raw.parse_answer(q_action_taken) as action_taken_answer,
        raw.parse_answer(q_kept_informed) as kept_informed_answer,
        raw.parse_answer(q_treatment) as treatment_answer,
        raw.parse_answer(q_whole_experience) as whole_experience_answer,
        coalesce(raw.parse_number(weight), 1.0) as weight,
        _load_id as load_id

    from latest

)

select * from renamed
