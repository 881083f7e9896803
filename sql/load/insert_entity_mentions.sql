insert into entity_mentions by name
select article_id, field, start_char, end_char, text, label, model_label, sentence_index, entity_id
from read_parquet($mentions)
