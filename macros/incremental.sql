{#- Incremental record-level models (BENCHMARKS.md, docs/incremental.md).

    A new month of extracts changes few records, so the large record-level models are rebuilt
    for the changed records only. A record's source key is the key of the extract record it is
    assessed from (call_id, incident_id, feedback_id, crime_reference). A run re-assesses:
      - every source key of a record loaded after the model last ran (load_id above the highest
        load_id the model holds): new records and restated ones;
      - every source key with a pending record: the as-of time has moved, so it may now be met
        or missed (a met or missed outcome never changes without a new version of the record).
    - every (force_code, source key) the model holds for such a key under another force: a
      restatement that moved the record to another force leaves nothing under the old one.
    All rows of a changed source key are replaced, so a restatement that moves a record to another
    standard or out of every standard (a short abandon, a cancelled attendance) leaves no stale
    row behind. `citizen-focus build --full-refresh` rebuilds everything from raw. -#}

{#- Source keys of records loaded after this model last ran, and those with a pending record. -#}
{% macro changed_source_keys(staging_relation, key_column, source_kind) -%}
    select
        '{{ source_kind }}' as source_kind,
        force_code,
        {{ key_column }} as source_key
    from {{ staging_relation }}
    where load_id > (
        select coalesce(max(load_id), -1) from {{ this }}
        where source_kind = '{{ source_kind }}'
    )

    union

    select
        source_kind,
        force_code,
        source_key
    from {{ this }}
    where outcome = 'pending' and source_kind = '{{ source_kind }}'

    {# A restatement may move a record to another force (docs/contract.md, "Restatements"): the
       rows held for its key under its earlier force change too (they are deleted). #}
    union

    select
        source_kind,
        force_code,
        source_key
    from {{ this }}
    where
        source_kind = '{{ source_kind }}'
        and source_key in (
            select {{ key_column }} from {{ staging_relation }}
            where load_id > (
                select coalesce(max(load_id), -1) from {{ this }}
                where source_kind = '{{ source_kind }}'
            )
        )
{%- endmacro %}

{#- The rows a run writes: in an incremental run every changed key appears, with its new rows or,
    when it has none any more, one row whose standard_id is null: a marker that only deletes. -#}
{% macro rows_of_changed_keys(changed, assessed, keys) -%}
    {%- if is_incremental() %}
    select
        {%- for key in keys %}
        {{ changed }}.{{ key }},
        {%- endfor %}
        {{ assessed }}.* exclude ({{ keys | join(', ') }})
    from {{ changed }}
    left join {{ assessed }}
        on
            {%- for key in keys %}
            {{ changed }}.{{ key }} = {{ assessed }}.{{ key }}{{ " and" if not loop.last }}
            {%- endfor %}
    {%- else %}
    select * from {{ assessed }}
    {%- endif %}
{%- endmacro %}

{#- Custom incremental strategy `replace_records`: delete every target row whose unique_key
    (a source key, not a row key) appears in the new rows, then insert the new rows that are not
    delete markers (standard_id is null). -#}
{% macro get_incremental_replace_records_sql(arg_dict) -%}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set keys = arg_dict["unique_key"] -%}
    {%- set columns = get_quoted_csv(arg_dict["dest_columns"] | map(attribute="name")) -%}
    delete from {{ target }} as replaced_rows
    using (select distinct {{ keys | join(', ') }} from {{ source }}) as changed_keys
    where
        {%- for key in keys %}
        replaced_rows.{{ key }} = changed_keys.{{ key }}{{ " and" if not loop.last }}
        {%- endfor %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
    where standard_id is not null
{%- endmacro %}

{#- Tests after an incremental build (var incremental_tests_after_load_id, set by
    `citizen-focus build` to the last load the previous build read): the generic tests of the
    incremental models, and of views over them marked meta tests_follow_loads, check the rows of
    the loads since then; every other model is tested in full.
    The rows of earlier loads passed the same tests when they were written and `replace_records`
    deletes every row of a changed source key before inserting, so no new row can duplicate an
    old one; a full build (no var) tests every row. Otherwise dbt's own where-config behaviour. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set after = var('incremental_tests_after_load_id', none) -%}
    {%- set found = {'incremental': false} -%}
    {%- if after is not none and execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model'
                and (node.config.materialized == 'incremental' or node.config.meta.get('tests_follow_loads'))
                and (node.alias or node.name) == relation.identifier and node.schema == relation.schema -%}
                {%- do found.update({'incremental': true}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if found['incremental'] -%}
        {%- set scope = loads_to_test() -%}
        {%- set where = scope if not where else '(' ~ where ~ ') and ' ~ scope -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The rows of an incremental model a singular test checks: those of the loads after
    var incremental_tests_after_load_id, or all (see get_where_subquery). -#}
{% macro loads_to_test() -%}
    {%- set after = var('incremental_tests_after_load_id', none) -%}
    {%- if after is none -%}true{%- else -%}load_id > {{ after | int }}{%- endif -%}
{%- endmacro %}
