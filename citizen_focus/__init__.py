"""Citizen Focus Warehouse: police service-quality analytics on DuckDB, dbt and Streamlit."""

__version__ = "0.1.0"
