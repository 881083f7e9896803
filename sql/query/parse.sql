select json_serialize_sql($sql)
