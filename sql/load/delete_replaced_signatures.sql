-- Signatures of replaced articles, and of those this run re-keys for a new band layout.
delete from minhash_signatures
where article_id in (select article_id from temp.replaced_articles)
    or article_id in (select article_id from read_parquet($signatures))
