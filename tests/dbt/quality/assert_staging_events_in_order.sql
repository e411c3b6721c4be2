{{ config(severity='warn') }}
-- After an incremental build only the rows of new loads of the incremental staging tables
-- (loads_to_test, docs/incremental.md); every row after a full build.
-- Row-level event order on every staging row: no call answered or abandoned before it was
-- received, no incident attended or closed before it was created, no feedback acknowledged,
-- responded to or resolved before it was received, no surveyed incident after its interview.
-- The loader already quarantines the first three kinds of row (ingest/contract.py); this test
-- covers the rest and anything loaded by another route. Severity warn: the build reports them;
-- the Great Expectations check counts them per load (docs/data-quality.md).
with

calls as (

    select * from {{ ref('stg_telephony__calls') }}
    where {{ loads_to_test() }}

),

incidents as (

    select * from {{ ref('stg_cad__incidents') }}
    where {{ loads_to_test() }}

),

feedback_items as (

    select * from {{ ref('stg_customer_service__feedback_items') }}

),

survey_responses as (

    select * from {{ ref('stg_user_survey__survey_responses') }}

),

out_of_order as (

    select
        'stg_telephony__calls' as model,
        call_id as record_id,
        'answered or abandoned before received' as problem
    from calls
    where answered_at < received_at or abandoned_at < received_at
    union all
    select 'stg_cad__incidents', incident_id, 'attended or closed before created'
    from incidents
    where first_arrival_at < created_at or closed_at < created_at
    union all
    select
        'stg_customer_service__feedback_items',
        feedback_id,
        'acknowledged, responded or resolved before received'
    from feedback_items
    where acknowledged_at < received_at or responded_at < received_at or resolved_at < received_at
    union all
    select 'stg_user_survey__survey_responses', response_id, 'incident after interview'
    from survey_responses
    where incident_date > interview_date

)

select * from out_of_order
