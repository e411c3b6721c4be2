-- Build lower bound (BENCHMARKS.md): the public marts computed by hand, straight from the raw text
-- tables of a warehouse loaded by `citizen-focus ingest`, with nothing else -- no staging views,
-- no intermediate tables, no tests, no docs. What a skilled engineer would write in one script;
-- the cost floor that `dbt build` is measured against (bench/run.py).
--
-- Same rules as docs/measures.md and the dbt models: text parsed by the loader's raw.* macros
-- (ingest/sql/contract_macros.sql), the latest loaded version of a record wins, as-of time per
-- force and extract kind, pending vs missed, short abandons (< 5 s) out, rural thresholds,
-- cancelled attendance out, London months. Thresholds are written inline on purpose: this is
-- the hand-written floor, not the warehouse (there they come from seeds/standards.csv).
--
-- Covered: marts.pledge_compliance for PLEDGE-6-999, PLEDGE-6-NON-EMERGENCY,
-- PLEDGE-7-EMERGENCY, PROMISE-URGENT-12MIN, PLEDGE-8-PRIORITY, PLEDGE-9-APPOINTMENT,
-- PLEDGE-9-KEPT, PLEDGE-11-ACK-24H, PROMISE-ACK-2WD, QOSC-RESPONSE-10WD, PLEDGE-12-MONTHLY-UPDATE
-- and QOSC-VS-REFERRAL-2D -- every measured standard -- (numerator, denominator, pending, rate),
-- and marts.citizen_focus_satisfaction (force-wide ALL and per borough, 1 and rolling 12
-- months). Not covered: target and RAG columns, and the other marts.
-- Reads seeds/bank_holidays.csv (relative: run with the project folder as file_search_path).
-- Results go to schema lower_bound: run it on a COPY of the warehouse.

set TimeZone = 'UTC';

create schema if not exists lower_bound;

create or replace table lower_bound.pledge_compliance as
with

calls as (
    select
        coalesce(upper(raw.clean_text(force_code)), 'MPS') as force_code,
        lower(trim(line)) as line,
        raw.parse_timestamp(received_at) as received_at,
        raw.parse_timestamp(answered_at) as answered_at,
        coalesce(raw.parse_boolean(abandoned), raw.parse_timestamp(answered_at) is null) as is_abandoned,
        raw.parse_timestamp(abandoned_at) as abandoned_at,
        coalesce(upper(raw.clean_text(borough_code)), 'UNKNOWN') as borough_code
    from raw.calls
    qualify row_number() over (
        partition by coalesce(upper(raw.clean_text(force_code)), 'MPS'), trim(call_id)
        order by _load_id desc, _line_number desc
    ) = 1
),

incidents as (
    select
        coalesce(upper(raw.clean_text(force_code)), 'MPS') as force_code,
        raw.parse_timestamp(created_at) as created_at,
        upper(trim(grade)) as grade,
        lower(raw.clean_text(area_type)) as area_type,
        raw.parse_timestamp(first_arrival_at) as first_arrival_at,
        raw.parse_timestamp(appointment_at) as appointment_at,
        coalesce(raw.parse_boolean(attendance_cancelled), false) as is_cancelled,
        raw.parse_timestamp(closed_at) as closed_at,
        coalesce(upper(raw.clean_text(borough_code)), 'UNKNOWN') as borough_code
    from raw.incidents
    qualify row_number() over (
        partition by coalesce(upper(raw.clean_text(force_code)), 'MPS'), trim(incident_id)
        order by _load_id desc, _line_number desc
    ) = 1
),

feedback as (
    select
        coalesce(upper(raw.clean_text(force_code)), 'MPS') as force_code,
        lower(trim(feedback_type)) as feedback_type,
        raw.parse_timestamp(received_at) as received_at,
        raw.parse_timestamp(acknowledged_at) as acknowledged_at,
        raw.parse_timestamp(responded_at) as responded_at,
        raw.parse_timestamp(resolved_at) as resolved_at,
        coalesce(
            raw.parse_boolean(response_requested), lower(trim(feedback_type)) in ('complaint', 'dissatisfaction')
        ) as is_response_requested,
        coalesce(upper(raw.clean_text(borough_code)), 'UNKNOWN') as borough_code
    from raw.feedback
    qualify row_number() over (
        partition by coalesce(upper(raw.clean_text(force_code)), 'MPS'), trim(feedback_id)
        order by _load_id desc, _line_number desc
    ) = 1
),

contacts as (
    select
        coalesce(upper(raw.clean_text(force_code)), 'MPS') as force_code,
        trim(contact_id) as contact_id,
        trim(crime_reference) as crime_reference,
        lower(trim(contact_type)) as contact_type,
        raw.parse_timestamp(contact_at) as contact_at,
        upper(raw.clean_text(borough_code)) as borough_code
    from raw.victim_contacts
    qualify row_number() over (
        partition by coalesce(upper(raw.clean_text(force_code)), 'MPS'), trim(contact_id)
        order by _load_id desc, _line_number desc
    ) = 1
),

-- working days: Monday to Friday and not an England & Wales bank holiday (the same file the
-- bank_holidays seed loads), over the years it covers; the N-th working day after date D is the
-- working day whose running index is D's index + N
holidays as (
    select holiday_date from read_csv('seeds/bank_holidays.csv', header = true, columns = {
        'holiday_date': 'DATE', 'holiday_name': 'VARCHAR', 'region': 'VARCHAR'
    })
),

calendar as (
    select
        d, is_working_day,
        count(*) filter (where is_working_day) over (order by d rows unbounded preceding) as day_index
    from (
        select d, isodow(d) <= 5 and d not in (select holiday_date from holidays) as is_working_day
        from (
            select cast(unnest(generate_series(
                cast(date_trunc('year', min(holiday_date)) as date),
                cast(date_trunc('year', max(holiday_date)) + interval 1 year - interval 1 day as date),
                interval 1 day
            )) as date) as d
            from holidays
        )
    )
),

calls_as_of as (
    select force_code, max(greatest(received_at, answered_at, abandoned_at)) as as_of_at
    from calls group by force_code
),

incidents_as_of as (
    select force_code, max(greatest(created_at, first_arrival_at, closed_at)) as as_of_at
    from incidents group by force_code
),

feedback_as_of as (
    select force_code, max(greatest(received_at, acknowledged_at, responded_at, resolved_at)) as as_of_at
    from feedback group by force_code
),

contacts_as_of as (
    select force_code, max(contact_at) as as_of_at
    from contacts group by force_code
),

-- one row per (standard, record): the clock start, the awaited event, the threshold in seconds
call_records as (
    select
        case when c.line = '999' then 'PLEDGE-6-999' else 'PLEDGE-6-NON-EMERGENCY' end as standard_id,
        c.force_code, c.borough_code, c.received_at as started_at, c.received_at as clock_at,
        c.answered_at as event_at,
        case when c.line = '999' then 10 else 30 end as threshold_seconds,
        cast(null as timestamptz) as working_day_deadline_at,
        c.answered_at is null and c.is_abandoned as is_forced_miss,
        a.as_of_at
    from calls as c
    left join calls_as_of as a on c.force_code = a.force_code
    where
        c.line in ('999', '101', '0300')
        and not coalesce(
            c.answered_at is null and epoch_us(c.abandoned_at) - epoch_us(c.received_at) < 5000000, false
        )
),

incident_standards as (
    select * from (values
        ('PLEDGE-7-EMERGENCY', 'E', 'attended', 900, 1200),
        ('PROMISE-URGENT-12MIN', 'E', 'attended', 720, 720),
        ('PLEDGE-8-PRIORITY', 'P', 'attended', 3600, 3600),
        ('PLEDGE-9-APPOINTMENT', 'S', 'appointment_set', 172800, 172800),
        ('PLEDGE-9-KEPT', 'S', 'appointment_kept', 1800, 1800)
    ) as s (standard_id, grade, family, urban_seconds, rural_seconds)
),

incident_records as (
    select
        s.standard_id, i.force_code, i.borough_code, i.created_at as started_at,
        case when s.family = 'appointment_kept' then i.appointment_at else i.created_at end as clock_at,
        case when s.family = 'appointment_set' then i.appointment_at else i.first_arrival_at end as event_at,
        case when i.area_type = 'rural' then s.rural_seconds else s.urban_seconds end as threshold_seconds,
        cast(null as timestamptz) as working_day_deadline_at,
        false as is_forced_miss,
        a.as_of_at
    from incidents as i
    inner join incident_standards as s on i.grade = s.grade
    left join incidents_as_of as a on i.force_code = a.force_code
    where
        (s.family = 'attended' and not i.is_cancelled)
        or s.family = 'appointment_set'
        or (s.family = 'appointment_kept' and i.appointment_at is not null and not i.is_cancelled)
),

feedback_standards as (
    select * from (values
        ('PLEDGE-11-ACK-24H', 'acknowledged', 86400, null),
        ('PROMISE-ACK-2WD', 'acknowledged', null, 2),
        ('QOSC-RESPONSE-10WD', 'responded', null, 10)
    ) as s (standard_id, family, threshold_seconds, working_days)
),

feedback_records as (
    select
        s.standard_id, f.force_code, f.borough_code, f.received_at as started_at,
        f.received_at as clock_at,
        case when s.family = 'acknowledged' then f.acknowledged_at else f.responded_at end as event_at,
        s.threshold_seconds,
        -- the end (London) of the deadline working day
        timezone('Europe/London', cast(deadline_day.d + 1 as timestamp)) - interval 1 microsecond
            as working_day_deadline_at,
        false as is_forced_miss, a.as_of_at
    from feedback as f
    cross join feedback_standards as s
    left join feedback_as_of as a on f.force_code = a.force_code
    left join calendar as received_day
        on cast(timezone('Europe/London', f.received_at) as date) = received_day.d
    left join calendar as deadline_day
        on
            s.working_days is not null and deadline_day.is_working_day
            and deadline_day.day_index = received_day.day_index + s.working_days
    where
        f.feedback_type in ('complaint', 'dissatisfaction')
        and (s.family = 'acknowledged' or f.is_response_requested)
),

-- Victim Support referral: first referral within 48 h of the first `recorded` contact; a crime
-- whose victim opted out before any referral and within the 48 h is left out
recordings as (
    select force_code, crime_reference, contact_at as recorded_at, borough_code
    from contacts
    where contact_type = 'recorded'
    qualify row_number() over (partition by force_code, crime_reference order by contact_at, contact_id) = 1
),

referrals as (
    select
        r.force_code, r.crime_reference, r.recorded_at,
        coalesce(r.borough_code, min(c.borough_code), 'UNKNOWN') as borough_code,
        min(c.contact_at) filter (where c.contact_type = 'victim_support_referral') as referred_at,
        min(c.contact_at) filter (where c.contact_type = 'opt_out') as opted_out_at,
        r.recorded_at + interval 48 hour as deadline_at,
        min(c.contact_at) filter (where c.contact_type = 'closure' and c.contact_at >= r.recorded_at) as closed_at,
        min(c.contact_at) filter (where c.contact_type = 'opt_out' and c.contact_at >= r.recorded_at)
            as stop_opted_out_at
    from recordings as r
    inner join contacts as c on r.force_code = c.force_code and r.crime_reference = c.crime_reference
    group by r.force_code, r.crime_reference, r.recorded_at, r.borough_code
),

referral_records as (
    select
        'QOSC-VS-REFERRAL-2D' as standard_id, r.force_code, r.borough_code, r.recorded_at as started_at,
        r.recorded_at as clock_at, r.referred_at as event_at, 172800 as threshold_seconds,
        cast(null as timestamptz) as working_day_deadline_at, false as is_forced_miss, a.as_of_at
    from referrals as r
    left join contacts_as_of as a on r.force_code = a.force_code
    where not coalesce(
        r.opted_out_at <= r.deadline_at and (r.referred_at is null or r.opted_out_at < r.referred_at), false
    )
),

records as (
    select * from call_records
    union all
    select * from incident_records
    union all
    select * from feedback_records
    union all
    select * from referral_records
),

-- victim updates (28-day windows chained from the recording, docs/measures.md): the update instants
-- (recording, then each update, arrest, charge or closure up to the first closure or opt-out)
-- cut the timeline into gaps; a gap from point p to the next point q holds
-- ceil((q - p) / 28 d) - 1 failed windows, then the window q meets; the last gap runs to the
-- stop (a closure point counts nothing more, an opt-out cuts its window) or to the as-of time
-- (its running window is pending)
update_crimes as (
    select
        *,
        least(closed_at, stop_opted_out_at) as stopped_at,
        case
            when closed_at is not null and (stop_opted_out_at is null or closed_at <= stop_opted_out_at)
                then 'closure'
            when stop_opted_out_at is not null then 'opt_out'
        end as stop_kind
    from referrals
),

update_points as (
    select force_code, crime_reference, recorded_at as point_at from update_crimes
    union
    select u.force_code, u.crime_reference, c.contact_at
    from update_crimes as u
    inner join contacts as c on u.force_code = c.force_code and u.crime_reference = c.crime_reference
    where
        c.contact_type in ('update', 'arrest', 'charge', 'closure')
        and c.contact_at > u.recorded_at
        and (u.stopped_at is null or c.contact_at <= u.stopped_at)
),

update_gaps as (
    select
        *,
        case
            when end_kind = 'stopped' or epoch_us(end_at) <= epoch_us(point_at) then 0
            else (epoch_us(end_at) - epoch_us(point_at) - 1) // 2419200000000
        end as failed_windows
    from (
        select
            u.force_code, u.borough_code, p.point_at,
            case
                when p.next_point_at is not null then 'met'
                when u.stop_kind = 'closure' and p.point_at = u.stopped_at then 'stopped'
                when u.stop_kind is not null then 'cut'
                else 'pending'
            end as end_kind,
            coalesce(p.next_point_at, u.stopped_at, a.as_of_at) as end_at
        from (
            select
                *,
                lead(point_at) over (partition by force_code, crime_reference order by point_at) as next_point_at
            from update_points
        ) as p
        inner join update_crimes as u on p.force_code = u.force_code and p.crime_reference = u.crime_reference
        left join contacts_as_of as a on p.force_code = a.force_code
    )
),

update_windows as (
    select
        force_code, borough_code,
        cast(date_trunc('month', timezone(
            'Europe/London', point_at + to_microseconds(2419200000000 * k)
        )) as date) as period_month,
        'missed' as outcome
    from update_gaps, unnest(range(1, failed_windows + 1)) as offsets (k)
    where failed_windows > 0
    union all
    select
        force_code, borough_code,
        cast(date_trunc('month', timezone(
            'Europe/London',
            case when end_kind = 'met' then end_at else point_at + to_microseconds(2419200000000 * failed_windows) end
        )) as date),
        case when end_kind = 'met' then 'met' else 'pending' end
    from update_gaps
    where end_kind in ('met', 'pending')
),

assessed as (
    select 'PLEDGE-12-MONTHLY-UPDATE' as standard_id, force_code, borough_code, period_month, outcome
    from update_windows
    union all
    select
        standard_id, force_code, borough_code,
        cast(date_trunc('month', timezone('Europe/London', started_at)) as date) as period_month,
        case
            when is_forced_miss then 'missed'
            when event_at is not null and event_at <= deadline_at then 'met'
            when event_at is not null then 'missed'
            when as_of_at > deadline_at then 'missed'
            else 'pending'
        end as outcome
    from (
        select
            *,
            case
                when threshold_seconds is null then working_day_deadline_at
                else clock_at + to_microseconds(cast(threshold_seconds as bigint) * 1000000)
            end as deadline_at
        from records
    )
)

select
    standard_id, force_code, borough_code, period_month,
    count(*) filter (where outcome = 'met') as numerator,
    count(*) filter (where outcome <> 'pending') as denominator,
    count(*) filter (where outcome = 'pending') as pending,
    case
        when count(*) filter (where outcome <> 'pending') > 0
            then count(*) filter (where outcome = 'met') / count(*) filter (where outcome <> 'pending')
    end as rate
from assessed
group by all;

create or replace table lower_bound.citizen_focus_satisfaction as
with

responses as (
    select
        coalesce(upper(raw.clean_text(force_code)), 'MPS') as force_code,
        upper(raw.clean_text(borough_code)) as borough_code,
        cast(date_trunc('month', raw.parse_date(interview_date)) as date) as interview_month,
        coalesce(raw.parse_number(weight), 1.0) as w,
        raw.parse_answer(q_ease_of_contact) as ease_of_contact,
        raw.parse_answer(q_action_taken) as action_taken,
        raw.parse_answer(q_kept_informed) as kept_informed,
        raw.parse_answer(q_treatment) as treatment,
        raw.parse_answer(q_whole_experience) as whole_experience
    from raw.survey_responses
    qualify row_number() over (
        partition by coalesce(upper(raw.clean_text(force_code)), 'MPS'), trim(response_id)
        order by _load_id desc, _line_number desc
    ) = 1
),

-- one row per answered question (unpivot drops empty answers); a response's borough may be
-- empty: like the mart, such a borough row exists with zero counts, its answers count in ALL
answers as (
    unpivot responses
    on ease_of_contact, action_taken, kept_informed, treatment, whole_experience
    into name question value answer
),

monthly as (
    select
        force_code, case when grouping(b) = 1 then 'ALL' else b end as borough_code, question, interview_month,
        count(*) filter (where answer between 1 and 7) as respondents,
        count(*) filter (where answer between 1 and 3) as satisfied,
        fsum(w) filter (where answer between 1 and 7) as sum_w,
        fsum(w * w) filter (where answer between 1 and 7) as sum_w2,
        fsum(w) filter (where answer between 1 and 3) as sum_w_satisfied
    from (select *, borough_code as b from answers)
    group by grouping sets ((force_code, b, question, interview_month), (force_code, question, interview_month))
),

-- every month from the force's first to its last survey month, every borough seen, every question
spine as (
    select f.force_code, b.borough_code, q.question, f.first_month, cast(m.m as date) as period_end_month
    from (
        select force_code, min(interview_month) as first_month, max(interview_month) as last_month
        from answers group by force_code
    ) as f
    cross join lateral unnest(generate_series(
        cast(f.first_month as timestamp), cast(f.last_month as timestamp), interval 1 month
    )) as m (m)
    inner join (select distinct force_code, borough_code from answers
                union select distinct force_code, 'ALL' from answers) as b on f.force_code = b.force_code
    cross join (values ('ease_of_contact'), ('action_taken'), ('kept_informed'), ('treatment'),
                ('whole_experience')) as q (question)
),

dense as (
    select
        s.force_code, s.borough_code, s.question, s.first_month, s.period_end_month,
        coalesce(m.respondents, 0) as respondents,
        coalesce(m.satisfied, 0) as satisfied,
        coalesce(m.sum_w, 0.0) as sum_w,
        coalesce(m.sum_w2, 0.0) as sum_w2,
        coalesce(m.sum_w_satisfied, 0.0) as sum_w_satisfied
    from spine as s
    left join monthly as m
        on s.force_code = m.force_code and s.borough_code = m.borough_code
        and s.question = m.question and s.period_end_month = m.interview_month
),

windowed as (
    select force_code, borough_code, question, 1 as window_months, period_end_month, true as is_full_window,
        respondents, satisfied, sum_w, sum_w2, sum_w_satisfied
    from dense
    union all
    select force_code, borough_code, question, 12, period_end_month,
        cast(period_end_month - interval 11 month as date) >= first_month,
        sum(respondents) over w, sum(satisfied) over w, sum(sum_w) over w, sum(sum_w2) over w,
        sum(sum_w_satisfied) over w
    from dense
    window w as (partition by force_code, borough_code, question order by period_end_month
                 rows between 11 preceding and current row)
),

estimated as (
    select
        *,
        case when sum_w2 > 0 then sum_w * sum_w / sum_w2 end as n_eff,
        case when sum_w > 0 then least(1.0, greatest(0.0, sum_w_satisfied / sum_w)) end as p
    from windowed
),

wilson as (
    select
        *,
        1.959963984540054 as z,
        case when n_eff > 0 and p is not null then
            sqrt(greatest(p * (1.0 - p), 0.0) / n_eff + 1.959963984540054 * 1.959963984540054 / (4.0 * n_eff * n_eff))
        end as half
    from estimated
)

select
    force_code, borough_code, question, window_months, period_end_month, is_full_window,
    cast(respondents as bigint) as respondents,
    case when respondents >= 10 then cast(satisfied as bigint) end as satisfied,
    n_eff, sum_w, sum_w2,
    case when respondents >= 10 then p end as rate,
    case when respondents >= 10 then least(p, least(1.0, greatest(0.0,
        (p + z * z / (2.0 * n_eff) - z * half) / (1.0 + z * z / n_eff)))) end as ci_low,
    case when respondents >= 10 then greatest(p, least(1.0, greatest(0.0,
        (p + z * z / (2.0 * n_eff) + z * half) / (1.0 + z * z / n_eff)))) end as ci_high,
    respondents < 10 as is_suppressed,
    respondents >= 50 as reliable
from wilson;
