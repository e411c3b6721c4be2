{#- Inference the marts publish beside their estimates (docs/measures.md, "BME satisfaction gap",
    "Inference across boroughs", "Change over time"): one procedure per comparison, so a p-value
    never contradicts its interval.

    Every published difference is a MOVER (square-and-add) interval built from the arms of two
    independent estimates: the Newcombe hybrid score interval of p1 - p2 is MOVER on two Wilson
    intervals, the change of a rate is MOVER on the Wilson intervals of two windows, and the
    change of a gap is MOVER on two Newcombe intervals (four Wilson intervals). Its p-value comes
    from inverting that interval in z: z* is the critical value at which the interval's limit on
    the side of 0 reaches 0 (the lower limit for a positive difference, the upper for a negative
    one), p = 2 (1 - Phi(z*)) and z_statistic the signed z*. Then p < 0.05 exactly when the 95%
    interval excludes 0.

    z* is found by bisection on [0, inverted_z_upper] with inverted_z_steps halvings (38: the
    midpoint is within 40 / 2^39 < 1e-10 of the root), unrolled by Jinja into one CTE per step:
    no recursion, no engine-specific function, the same SQL on DuckDB and Spark. A limit that
    has not reached 0 at z = 40 gives z* = 40 (p = 0 in double precision).

    The CTE macros below emit comma-separated CTEs (no trailing comma) for the caller's `with`;
    each says which CTE it ends with and which columns it adds. -#}

{#- Squared half-width of a MOVER interval on the side `side` ('low' or 'high') at critical
    value z, from the squared distances of the two estimates' arms:
    low:  (first - first_low)^2 + (second_high - second)^2
    high: (first_high - first)^2 + (second - second_low)^2.
    Arms are given as macros' outputs through `arms`, a dict with keys first_low, first_high,
    second_low, second_high whose values are SQL templates containing `@z`. -#}
{% macro _mover_half_width_sq(arms, side, z) -%}
    {%- if side == 'low' -%}
        ({{ arms.first_low | replace('@z', z) }} + {{ arms.second_high | replace('@z', z) }})
    {%- else -%}
        ({{ arms.first_high | replace('@z', z) }} + {{ arms.second_low | replace('@z', z) }})
    {%- endif -%}
{%- endmacro %}

{#- Squared lower / upper arm of a Wilson interval on (p, n) at critical value z:
    (p - wilson_low)^2 and (wilson_high - p)^2 (wilson_low / wilson_high, macros/statistics.sql). -#}
{% macro wilson_arm_sq(p, n, side, z) -%}
    {%- if side == 'low' -%}
        power(({{ p }}) - {{ wilson_low(p, n, z) }}, 2)
    {%- else -%}
        power({{ wilson_high(p, n, z) }} - ({{ p }}), 2)
    {%- endif -%}
{%- endmacro %}

{#- The arms of a difference p1 - p2 of two Wilson estimates (Newcombe, method 10), as
    `@z` templates for _mover_half_width_sq. -#}
{% macro wilson_difference_arms(p1, n1, p2, n2) -%}
    {{ return({
        'first_low': wilson_arm_sq(p1, n1, 'low', '@z'),
        'first_high': wilson_arm_sq(p1, n1, 'high', '@z'),
        'second_low': wilson_arm_sq(p2, n2, 'low', '@z'),
        'second_high': wilson_arm_sq(p2, n2, 'high', '@z'),
    }) }}
{%- endmacro %}

{#- The arms of a change between two independent differences (a1 - b1) now and (a0 - b0)
    before, each a Newcombe interval: the squared arms of a Newcombe interval are the sums of
    its Wilson arms, so the change interval's squared half-widths are sums of four. -#}
{% macro newcombe_change_arms(a1, na1, b1, nb1, a0, na0, b0, nb0) -%}
    {%- set now = wilson_difference_arms(a1, na1, b1, nb1) -%}
    {%- set before = wilson_difference_arms(a0, na0, b0, nb0) -%}
    {{ return({
        'first_low': '(' ~ now.first_low ~ ' + ' ~ now.second_high ~ ')',
        'first_high': '(' ~ now.first_high ~ ' + ' ~ now.second_low ~ ')',
        'second_low': '(' ~ before.first_low ~ ' + ' ~ before.second_high ~ ')',
        'second_high': '(' ~ before.first_high ~ ' + ' ~ before.second_low ~ ')',
    }) }}
{%- endmacro %}

{#- CTEs that invert a MOVER interval of `estimate` (a column of `source`) in z. Ends with CTE
    `<prefix>_inverted`: the columns of source plus <prefix>_ci_low, <prefix>_ci_high (the 95%
    interval), <prefix>_z_statistic (signed z*, 0 when the estimate is 0) and <prefix>_p_value
    (1 when the estimate is 0); all NULL when the estimate is NULL. Bisection bookkeeping
    columns (<prefix>_z_lo_k, <prefix>_z_hi_k) stay in the CTEs; select the published columns. -#}
{% macro inverted_mover_ctes(source, estimate, arms, prefix) -%}
    {%- set steps = var('inverted_z_steps', 38) | int -%}
    {%- set upper = var('inverted_z_upper', 40.0) -%}
    {%- set d = '(' ~ estimate ~ ')' -%}
    {{ prefix }}_z_step_0 as (

    select
        *,
        0.0 as {{ prefix }}_z_lo_0,
        {{ upper }} as {{ prefix }}_z_hi_0
    from {{ source }}

),
{% for k in range(1, steps + 1) %}
    {%- set mid = '((' ~ prefix ~ '_z_lo_' ~ (k - 1) ~ ' + ' ~ prefix ~ '_z_hi_' ~ (k - 1) ~ ') / 2.0)' -%}
    {%- set below = '((case when ' ~ d ~ ' > 0 then ' ~ _mover_half_width_sq(arms, 'low', mid)
        ~ ' else ' ~ _mover_half_width_sq(arms, 'high', mid) ~ ' end) < ' ~ d ~ ' * ' ~ d ~ ')' -%}
{{ prefix }}_z_step_{{ k }} as (

    select
        *,
        case when {{ below }} then {{ mid }} else {{ prefix }}_z_lo_{{ k - 1 }} end
            as {{ prefix }}_z_lo_{{ k }},
        case when {{ below }} then {{ prefix }}_z_hi_{{ k - 1 }} else {{ mid }} end
            as {{ prefix }}_z_hi_{{ k }}
    from {{ prefix }}_z_step_{{ k - 1 }}

),
{% endfor %}
{{ prefix }}_z_solved as (

    select
        *,
        {{ d }} - sqrt({{ _mover_half_width_sq(arms, 'low', z_95()) }}) as {{ prefix }}_ci_low,
        {{ d }} + sqrt({{ _mover_half_width_sq(arms, 'high', z_95()) }}) as {{ prefix }}_ci_high,
        case
            when {{ d }} is null then null
            when {{ d }} = 0 then 0.0
            when {{ d }} > 0
                then ({{ prefix }}_z_lo_{{ steps }} + {{ prefix }}_z_hi_{{ steps }}) / 2.0
            else -({{ prefix }}_z_lo_{{ steps }} + {{ prefix }}_z_hi_{{ steps }}) / 2.0
        end as {{ prefix }}_z_statistic
    from {{ prefix }}_z_step_{{ steps }}

),

{{ prefix }}_inverted as (

    select
        *,
        {{ normal_two_sided_p_value(prefix ~ '_z_statistic') }} as {{ prefix }}_p_value
    from {{ prefix }}_z_solved

)
{%- endmacro %}

{#- Two independent groups compared (docs/measures.md, "BME satisfaction gap"): the difference
    p1 - p2 of two weighted rates with their effective sample sizes, Newcombe's hybrid score 95%
    interval and the p-value and z from inverting it. Ends with CTE `<prefix>_inverted` with
    <prefix>_difference, <prefix>_ci_low, <prefix>_ci_high, <prefix>_z_statistic and
    <prefix>_p_value (fractions, not percentage points). -#}
{% macro compare_two_groups(source, p1, n1, p2, n2, prefix) -%}
{{ prefix }}_difference as (

    select
        *,
        ({{ p1 }}) - ({{ p2 }}) as {{ prefix }}_difference
    from {{ source }}

),

{{ inverted_mover_ctes(prefix ~ '_difference', prefix ~ '_difference',
    wilson_difference_arms(p1, n1, p2, n2), prefix) }}
{%- endmacro %}

{#- Holm's step-down adjustment (docs/measures.md, "Inference across boroughs"). Ends with CTE
    `<prefix>_holm` adding <prefix>_p_value_holm: within each family (the `family` columns) the
    rows with `member` true and a p-value are sorted by p ascending (ties in `tiebreak` order),
    adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j)). A row that is not a member
    is its own family of one (adjusted p = p). NULL p stays NULL. -#}
{% macro holm_adjust(source, p_value, family, member, tiebreak, prefix) -%}
{%- set partition = family | join(', ') ~ ', (' ~ member ~ '), (' ~ p_value ~ ' is null)' -%}
{{ prefix }}_ranked as (

    select
        *,
        case when {{ member }} then count({{ p_value }}) over (partition by {{ partition }}) else 1 end
            as {{ prefix }}_family_size,
        case
            when {{ member }}
                then row_number() over (partition by {{ partition }} order by {{ p_value }}, {{ tiebreak }})
            else 1
        end as {{ prefix }}_family_rank
    from {{ source }}

),

{{ prefix }}_holm as (

    select
        *,
        case
            when {{ p_value }} is not null and {{ member }}
                then max(least(1.0, ({{ prefix }}_family_size - {{ prefix }}_family_rank + 1) * {{ p_value }}))
                    over (
                        partition by {{ partition }}
                        order by {{ p_value }}, {{ tiebreak }}
                        rows between unbounded preceding and current row
                    )
            when {{ p_value }} is not null then {{ p_value }}
        end as {{ prefix }}_p_value_holm
    from {{ prefix }}_ranked

)
{%- endmacro %}

{#- The significance level of the published tests (var significance_level, 0.05; the intervals
    are at 1 - significance_level through z_95). -#}
{% macro significance_level() -%}
    {{ var('significance_level', 0.05) }}
{%- endmacro %}
