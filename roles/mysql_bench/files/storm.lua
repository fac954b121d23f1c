#!/usr/bin/env sysbench
-- The toolkit's memory storm: every session runs, again and again, the three statements that
-- make a connection take the most memory the sizing counts for it: a large sort on a column
-- without an index (sort_buffer_size), a join on a column without an index (join_buffer_size),
-- and a GROUP BY that needs an internal temporary table (MySQL: the TempTable pool; MariaDB:
-- tmp_table_size per connection). --range-size rows are sorted and grouped, a tenth of them
-- joined. Tables and rows are sysbench's own (oltp_common), read through first by prewarm.
require("oltp_common")

-- Reads every table through, clustered index and secondary index, under the server's own
-- limits. sysbench's prewarm raises the session's tmp_table_size and max_heap_table_size to
-- 2 GiB and materialises each table in a derived table: MariaDB holds that in memory, a whole
-- table per session beyond anything the server's configuration allows (it OOM-killed MariaDB
-- in a 4 GiB cgroup before the storm began).
function cmd_prewarm()
   local con = sysbench.sql.driver():connect()
   for table = sysbench.tid % sysbench.opt.threads + 1, sysbench.opt.tables, sysbench.opt.threads do
      con:query(string.format(
         "SELECT COUNT(*), SUM(LENGTH(c)) FROM sbtest%d FORCE INDEX (PRIMARY)", table))
      con:query(string.format("SELECT COUNT(k) FROM sbtest%d FORCE INDEX (k_%d)", table, table))
   end
   con:disconnect()
end

sysbench.cmdline.commands.prewarm = {cmd_prewarm, sysbench.cmdline.PARALLEL_COMMAND}

-- Nothing to prepare per thread beyond oltp_common's connection: each event builds its queries.
function prepare_statements()
end

function event()
   local first = sysbench.rand.uniform(1, sysbench.opt.tables)
   local second = first % sysbench.opt.tables + 1
   local rows = sysbench.opt.range_size
   local low = sysbench.rand.uniform(1, math.max(1, sysbench.opt.table_size - rows))
   local high = low + rows - 1
   local joined = low + math.floor(rows / 10) - 1
   con:query(string.format(
      "SELECT c FROM sbtest%d WHERE id BETWEEN %d AND %d ORDER BY c, pad LIMIT %d, 1",
      first, low, high, rows - 1))
   con:query(string.format(
      "SELECT COUNT(*) FROM sbtest%d a JOIN sbtest%d b ON b.c = a.c"
         .. " WHERE a.id BETWEEN %d AND %d AND b.id BETWEEN %d AND %d",
      first, second, low, joined, low, joined))
   con:query(string.format(
      "SELECT c, COUNT(*) FROM sbtest%d WHERE id BETWEEN %d AND %d GROUP BY c LIMIT 1",
      first, low, high))
end
