{{ config(materialized='incremental', unique_key=['incident_id']) }}

with

source as (

    select * from {{ source('cad', 'incidents') }}
    {{ new_loads_only() }}

),

latest as (

    select * from source
    {{ latest_version('incident_id') }}

),

renamed as (

    select
        trim(incident_id) as incident_id,
        {{ force_code() }} as force_code,
        raw.clean_text(call_id) as call_id,
        raw.parse_timestamp(created_at) as created_at,
        upper(trim(grade)) as grade,
        lower(raw.clean_text(incident_type)) as incident_type,
        upper(raw.clean_text(borough_code)) as borough_code,
        lower(raw.clean_text(area_type)) as area_type,
        raw.parse_timestamp(first_arrival_at) as first_arrival_at,
        raw.parse_timestamp(appointment_at) as appointment_at,
        coalesce(raw.parse_boolean(attendance_cancelled), false) as is_attendance_cancelled,
        raw.parse_timestamp(closed_at) as closed_at,
        _load_id as load_id

    from latest

)

select * from renamed
