{#- Helpers for the staging layer: the contract's value rules applied the same way everywhere. -#}

{#- Absent force_code means the deployment's single force (docs/contract.md). -#}
{% macro force_code(column='force_code') -%}
    coalesce(upper(raw.clean_text({{ column }})), '{{ var("default_force_code") }}')
{%- endmacro %}

{#- A restated extract may bring the same record again: the latest loaded version wins. The
    restatement key is the record's id within its kind of extract, whatever its force_code
    (docs/contract.md, "Restatements"): a restatement that moves a record to another force
    supersedes it there, so it is never counted under both. -#}
{% macro latest_version(key) -%}
    qualify row_number() over (
        partition by trim({{ key }})
        order by _load_id desc, _line_number desc
    ) = 1
{%- endmacro %}

{#- The large staging models are incremental tables, not views: dozens of models and tests read
    them, and each read of a view would deduplicate every raw row again. A run reads only the
    loads after the highest load_id the table holds; a restated record replaces its earlier
    version (delete+insert on the natural key; docs/incremental.md). -#}
{% macro new_loads_only() -%}
    {%- if is_incremental() %}
    where _load_id > (select coalesce(max(load_id), -1) from {{ this }})
    {%- endif %}
{%- endmacro %}
