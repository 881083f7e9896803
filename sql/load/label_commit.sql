call lake.set_commit_message($author, $message, extra_info => $extra_info)
