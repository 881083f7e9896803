select count(*) as snapshots
from ducklake_snapshots('lake')
