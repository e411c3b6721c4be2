{#- Published: what drives whole-experience satisfaction (docs/measures.md, "Key drivers of
    whole-experience satisfaction"), per force, full 12-month window (period end month), ethnic
    group (All, White, BME) and driver: the driver's general dominance weight (its Shapley share of
    the weighted R² of the linear probability model), that weight as a share of R² with its
    bootstrap 95% percentile interval, R², the driver's rank, the respondents used and the share
    of them with a linked operational outcome. Computed in int_satisfaction_key_drivers_decomposed
    (a Python model); labels from the seeds (survey_questions for the questions,
    satisfaction_drivers for the operational outcomes). Figures are null when the cell has
    fewer than reliable_from_respondents respondents. -#}

{{ config(contract={'enforced': true}) }}

with

decomposed as (

    select * from {{ ref('int_satisfaction_key_drivers_decomposed') }}

),

drivers as (

    select * from {{ ref('satisfaction_drivers') }}

),

questions as (

    select * from {{ ref('survey_questions') }}

),

final as (

    select
        cast(decomposed.force_code as varchar) as force_code,
        12 as window_months,
        cast(decomposed.window_start_month as date) as window_start_month,
        cast(decomposed.period_end_month as date) as period_end_month,
        cast(decomposed.ethnic_group as varchar) as ethnic_group,
        cast(decomposed.driver as varchar) as driver,
        drivers.driver_kind,
        coalesce(drivers.driver_label, questions.question_text) as driver_label,
        drivers.short_label,
        drivers.display_order,
        cast(decomposed.importance as double) as importance,
        cast(decomposed.importance_share as double) as importance_share,
        cast(decomposed.share_ci_lower as double) as share_ci_lower,
        cast(decomposed.share_ci_upper as double) as share_ci_upper,
        cast(decomposed.r_squared as double) as r_squared,
        cast(decomposed.driver_rank as integer) as driver_rank,
        cast(decomposed.respondents as bigint) as respondents,
        {{ respondents_display('decomposed.respondents') }} as respondents_display,
        cast(
            case
                when {{ is_reliable('decomposed.respondents') }}
                    then decomposed.linked_respondents / decomposed.respondents
            end as double
        ) as linked_share,
        cast(decomposed.bootstrap_replicates as integer) as bootstrap_replicates,
        cast(decomposed.bootstrap_seed as bigint) as bootstrap_seed,
        {{ is_reliable('decomposed.respondents') }} as is_computed
    from decomposed
    inner join drivers
        on decomposed.driver = drivers.driver
    left join questions
        on drivers.question = questions.question

)

select * from final
