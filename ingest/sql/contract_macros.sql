-- How the contract's values parse (docs/contract.md), written once as DuckDB macros in the raw
-- schema. The loader uses them to validate rows (a value they cannot parse is a reject) and the
-- dbt staging models use the very same macros to type the raw text, so the two never disagree.
-- Every macro returns NULL for a missing (empty) or unparseable value.

create schema if not exists raw;

-- A Europe/London wall-clock TIMESTAMP to the instant (TIMESTAMPTZ) it names. A time in the
-- autumn repeated hour is its first (BST) occurrence; a time in the spring gap does not exist
-- and is NULL.
create or replace macro raw.london_to_utc(l) as (
    case
        when timezone('Europe/London', timezone('Europe/London', l) - interval 1 hour) = l
            then timezone('Europe/London', l) - interval 1 hour
        when timezone('Europe/London', timezone('Europe/London', l)) = l
            then timezone('Europe/London', l)
    end
);

-- ISO 8601 with an offset (canonical), or naive London local time as `YYYY-MM-DD HH:MM[:SS]`
-- or `DD/MM/YYYY HH:MM[:SS]` (UK order, never US).
create or replace macro raw.parse_timestamp(s) as (
    case
        when s is null or trim(s) = '' then null
        when regexp_full_match(
            trim(s), '\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)'
        ) then try_cast(trim(s) as timestamptz)
        when regexp_full_match(trim(s), '\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?')
            then raw.london_to_utc(try_cast(regexp_replace(trim(s), '[Tt]', ' ') as timestamp))
        when regexp_full_match(trim(s), '\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}')
            then raw.london_to_utc(try_strptime(trim(s), '%d/%m/%Y %H:%M:%S'))
        when regexp_full_match(trim(s), '\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}')
            then raw.london_to_utc(try_strptime(trim(s), '%d/%m/%Y %H:%M'))
    end
);

create or replace macro raw.parse_date(s) as (
    case
        when s is null or trim(s) = '' then null
        when regexp_full_match(trim(s), '\d{4}-\d{2}-\d{2}') then try_cast(trim(s) as date)
        when regexp_full_match(trim(s), '\d{1,2}/\d{1,2}/\d{4}')
            then cast(try_strptime(trim(s), '%d/%m/%Y') as date)
    end
);

create or replace macro raw.parse_boolean(s) as (
    case lower(trim(s))
        when 'true' then true
        when 'yes' then true
        when 'y' then true
        when '1' then true
        when 'false' then false
        when 'no' then false
        when 'n' then false
        when '0' then false
    end
);

-- A finite number (survey weight); NULL for text, NaN or infinity.
create or replace macro raw.parse_number(s) as (
    case
        when isfinite(try_cast(trim(s) as double)) then try_cast(trim(s) as double)
    end
);

-- A survey answer to its code: 1..7 the seven-point scale (1 = Completely satisfied),
-- 8 Don't know, 9 Refused, 0 Not applicable. Labels and codes are both accepted.
create or replace macro raw.parse_answer(s) as (
    case lower(replace(trim(s), '’', ''''))
        when 'completely satisfied' then 1
        when 'very satisfied' then 2
        when 'fairly satisfied' then 3
        when 'neither satisfied nor dissatisfied' then 4
        when 'fairly dissatisfied' then 5
        when 'very dissatisfied' then 6
        when 'completely dissatisfied' then 7
        when 'don''t know' then 8
        when 'refused' then 9
        when 'not applicable' then 0
        when '1' then 1
        when '2' then 2
        when '3' then 3
        when '4' then 4
        when '5' then 5
        when '6' then 6
        when '7' then 7
        when '8' then 8
        when '9' then 9
        when '0' then 0
    end
);

-- Empty string = missing value (docs/contract.md).
create or replace macro raw.clean_text(s) as (nullif(trim(s), ''));
