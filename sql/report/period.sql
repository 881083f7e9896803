-- The report's period: $since and $until (ISO dates, either may be null) closed by the first and last
-- publication dates the warehouse holds.
select coalesce(cast($since as date), min(published_date)) as since,
    coalesce(cast($until as date), max(published_date)) as until
from articles
