{#- Use the folder's schema name as-is (staging, intermediate, marts, reference) so the
    published interface lives in `marts`, as docs/marts.md says, whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
