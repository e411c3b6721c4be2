{#- The additive components of every satisfaction figure, per force, borough, question,
    interview month, ethnic group and equality dimensions: counts of valid and satisfied
    responses and the weight sums sum(w), sum(w^2), sum(w * satisfied) over valid responses.
    Any roll-up (force-wide, rolling 12 months, any breakdown) is an exact sum of these rows;
    rate, n_eff and intervals are computed from the sums, never averaged. Weights are summed
    with fsum (Kahan-Neumaier), so results do not depend on summation order. -#}

with

responses as (

    select * from {{ ref('int_survey_responses_grouped') }}

),

answers as (

    select * from {{ ref('int_survey_answers_scored') }}

),

joined as (

    select
        responses.force_code,
        responses.borough_code,
        answers.question,
        responses.interview_month,
        responses.ethnic_group,
        responses.age_band,
        responses.gender,
        responses.disability,
        responses.survey_group,
        answers.is_valid,
        answers.is_satisfied,
        responses.weight

    from answers
    inner join responses
        on
            answers.force_code = responses.force_code
            and answers.response_id = responses.response_id

),

summed as (

    select
        force_code,
        borough_code,
        question,
        interview_month,
        ethnic_group,
        age_band,
        gender,
        disability,
        survey_group,
        count(*) filter (where is_valid) as respondents,
        count(*) filter (where is_satisfied) as satisfied,
        count(*) filter (where not is_valid) as excluded_answers,
        coalesce(fsum(weight) filter (where is_valid), 0.0) as sum_w,
        coalesce(fsum(weight * weight) filter (where is_valid), 0.0) as sum_w2,
        coalesce(fsum(weight) filter (where is_satisfied), 0.0) as sum_w_satisfied

    from joined
    group by
        force_code,
        borough_code,
        question,
        interview_month,
        ethnic_group,
        age_band,
        gender,
        disability,
        survey_group

),

final as (

    select * from summed

)

select * from final
