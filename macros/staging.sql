{#- Helpers for the staging layer: the contract's value rules applied the same way everywhere. -#}

{#- Absent force_code means the deployment's single force (extracts.md). -#}
{% macro force_code(column='force_code') -%}
    coalesce(upper(raw.clean_text({{ column }})), '{{ var("default_force_code") }}')
{%- endmacro %}

{#- A restated extract may bring the same record again: the latest loaded version wins. -#}
{% macro latest_version(key) -%}
    qualify row_number() over (
        partition by {{ force_code() }}, trim({{ key }})
        order by _load_id desc, _line_number desc
    ) = 1
{%- endmacro %}
