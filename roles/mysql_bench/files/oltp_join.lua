#!/usr/bin/env sysbench
-- The toolkit's JOIN workload: one event is one query that takes a primary-key range of
-- --range-size rows of one sysbench table and joins each row, through its column k, to the
-- row of another table with that primary key (an order joined to its customer). Joining k to
-- k instead would follow sysbench's skewed k distribution, where one hot value matches
-- thousands of rows. Its p95 is what the "JOIN under 50 ms" target is judged on. Tables,
-- rows, prepare and cleanup are sysbench's own (oltp_common): the same dataset as the rest.
require("oltp_common")

-- Nothing to prepare per thread beyond oltp_common's connection: each event builds its query.
function prepare_statements()
end

function event()
   local first_table = sysbench.rand.uniform(1, sysbench.opt.tables)
   local second_table = first_table % sysbench.opt.tables + 1
   local low = sysbench.rand.default(1, math.max(1, sysbench.opt.table_size - sysbench.opt.range_size))
   con:query(string.format(
      "SELECT COUNT(*), SUM(LENGTH(b.c)) FROM sbtest%d a JOIN sbtest%d b ON b.id = a.k"
         .. " WHERE a.id BETWEEN %d AND %d",
      first_table, second_table, low, low + sysbench.opt.range_size - 1))
end
