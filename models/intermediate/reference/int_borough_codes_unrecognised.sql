{#- Every borough code an extract gives that the boroughs seed does not list for its force
    (docs/contract.md: an unknown code is kept and reported), with the extract and how many current records carry it.
    The records are kept (their figures count in the force totals); this model only names the
    codes so the data-quality warning intermediate.int_borough_codes_unrecognised can report
    them with their counts and the seed can be extended. One row per extract, force and code;
    none when every code is known. -#}

with

calls as (

    select * from {{ ref('stg_telephony__calls') }}

),

incidents as (

    select * from {{ ref('stg_cad__incidents') }}

),

survey_responses as (

    select * from {{ ref('stg_user_survey__survey_responses') }}

),

feedback_items as (

    select * from {{ ref('stg_customer_service__feedback_items') }}

),

victim_contacts as (

    select * from {{ ref('stg_crime_records__victim_contacts') }}

),

boroughs as (

    select * from {{ ref('boroughs') }}

),

codes_given as (

    select
        'calls' as extract_name,
        force_code,
        borough_code
    from calls
    union all
    select
        'incidents' as extract_name,
        force_code,
        borough_code
    from incidents
    union all
    select
        'survey_responses' as extract_name,
        force_code,
        borough_code
    from survey_responses
    union all
    select
        'feedback' as extract_name,
        force_code,
        borough_code
    from feedback_items
    union all
    select
        'victim_contacts' as extract_name,
        force_code,
        borough_code
    from victim_contacts

),

unrecognised as (

    select
        codes_given.extract_name,
        codes_given.force_code,
        codes_given.borough_code,
        count(*) as records
    from codes_given
    left join boroughs
        on
            codes_given.force_code = boroughs.force_code
            and codes_given.borough_code = boroughs.borough_code
    where codes_given.borough_code is not null and boroughs.borough_code is null
    group by codes_given.extract_name, codes_given.force_code, codes_given.borough_code

),

final as (

    select
        extract_name,
        force_code,
        borough_code,
        cast(records as bigint) as records
    from unrecognised

)

select * from final
