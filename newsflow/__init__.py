"""newsflow: raw news articles in, a queryable DuckLake record of who, what, where and when out."""
