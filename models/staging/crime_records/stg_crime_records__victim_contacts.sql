{{ config(materialized='incremental', unique_key=['contact_id']) }}

with

source as (

    select * from {{ source('crime_records', 'victim_contacts') }}
    {{ new_loads_only() }}

),

latest as (

    select * from source
    {{ latest_version('contact_id') }}

),

renamed as (

    select
        trim(contact_id) as contact_id,
        {{ force_code() }} as force_code,
        trim(crime_reference) as crime_reference,
        lower(trim(contact_type)) as contact_type,
        raw.parse_timestamp(contact_at) as contact_at,
        upper(raw.clean_text(borough_code)) as borough_code,
        lower(raw.clean_text(crime_type)) as crime_type,
        _load_id as load_id

    from latest

)

select * from renamed
