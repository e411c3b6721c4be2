-- After an incremental build only the rows of new loads of the incremental staging tables
-- (loads_to_test, docs/incremental.md); every row after a full build.
-- Every force and borough code of the staging layer (the latest version of each record) matches
-- var code_pattern and is none of var reserved_codes: the loader refuses such values with the
-- same vars (dbt_project.yml, docs/contract.md), so this fails only for a row loaded by another
-- route, and a restatement of the record clears it (staging keeps the latest version).
{%- set reserved -%}
    {%- for code in var('reserved_codes') -%}'{{ code | upper }}'{{ ", " if not loop.last }}{%- endfor -%}
{%- endset %}
with

codes as (

    select 'stg_telephony__calls' as model, call_id as record_id, force_code, borough_code
    from {{ ref('stg_telephony__calls') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_cad__incidents', incident_id, force_code, borough_code
    from {{ ref('stg_cad__incidents') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_customer_service__feedback_items', feedback_id, force_code, borough_code
    from {{ ref('stg_customer_service__feedback_items') }}
    union all
    select 'stg_crime_records__victim_contacts', contact_id, force_code, borough_code
    from {{ ref('stg_crime_records__victim_contacts') }}
    where {{ loads_to_test() }}
    union all
    select 'stg_user_survey__survey_responses', response_id, force_code, borough_code
    from {{ ref('stg_user_survey__survey_responses') }}

),

final as (

    select model, record_id, force_code, borough_code
    from codes
    where
        not regexp_full_match(force_code, '{{ var("code_pattern") }}')
        or upper(force_code) in ({{ reserved }})
        or (
            borough_code is not null
            and (
                not regexp_full_match(borough_code, '{{ var("code_pattern") }}')
                or upper(borough_code) in ({{ reserved }})
            )
        )

)

select * from final
