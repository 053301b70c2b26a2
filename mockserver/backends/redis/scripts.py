"""The fleet's atomic steps, as Lua scripts Redis runs whole: nothing else interleaves with one.

Keys, under one prefix:
    epoch          a random id of this store's state history, new each time it is initialized: a
                   Redis that came back empty and was seeded again starts its versions over
    version        the state's version, raised by every change
    base           a fixture document (JSON) of the state at `base_version`
    base_version
    log            the changes since the base, oldest first: entry i made version base_version + 1 + i
    initial        the startup fixture document, what a reset goes back to
    journal        entries "id TAB status TAB fault TAB json", oldest first, at most the limit
    journal_id     the last journal id given
    faults         fault ids in the order they were added; fault:ID a hash of each
    fault_id       the last fault id given
"""

from __future__ import annotations

# KEYS: version base base_version log initial epoch   ARGV: initial document, base document, epoch
INITIALIZE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[5], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[6], ARGV[3])
redis.call('SET', KEYS[1], 1)
redis.call('SET', KEYS[3], 1)
redis.call('DEL', KEYS[4])
return 1
"""

# KEYS: version base base_version log epoch   ARGV: the version held (-1: none), its epoch
# -> {version, base_version, epoch, base document or '' when the log from the held version
#     suffices, changes...}, or {-1} when the store holds no state
SINCE = """
local version = tonumber(redis.call('GET', KEYS[1]))
if not version then return {-1} end
local base_version = tonumber(redis.call('GET', KEYS[3]))
local epoch = redis.call('GET', KEYS[5])
local held = tonumber(ARGV[1])
local reply = {version, base_version, epoch}
local first = 0
if epoch == ARGV[2] and held >= base_version and held <= version then
    reply[4] = ''
    first = held - base_version
else
    reply[4] = redis.call('GET', KEYS[2])
end
local changes = redis.call('LRANGE', KEYS[4], first, -1)
for i = 1, #changes do reply[#reply + 1] = changes[i] end
return reply
"""

# KEYS: version log epoch base_version   ARGV: expected version, change JSON, channel, expected epoch
# -> {1, new version, base version} (the committer folds a long log) or {0, current, base version}
COMMIT = """
local current = tonumber(redis.call('GET', KEYS[1]))
local base_version = tonumber(redis.call('GET', KEYS[4])) or 0
if current ~= tonumber(ARGV[1]) or redis.call('GET', KEYS[3]) ~= ARGV[4] then
    return {0, current or -1, base_version}
end
redis.call('RPUSH', KEYS[2], ARGV[2])
local version = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[3], version)
return {1, version, base_version}
"""

# KEYS: version log epoch base_version scenario failures
# ARGV: held version, channel, epoch, scenario id, fired expected, failure JSON or '', change JSON...
# One scenario event, once for the whole fleet: its changes committed (as COMMIT does, one version
# each) with the scenario's count of fired events, only if that count is still the one expected.
# -> {1, version, base_version}; {0, ...} the state moved (catch up, retry); {2, ...} the event was
# fired by another worker, or the scenario replaced or stopped (read it again).
FIRE = """
local current = tonumber(redis.call('GET', KEYS[1]))
local base_version = tonumber(redis.call('GET', KEYS[4])) or 0
if current ~= tonumber(ARGV[1]) or redis.call('GET', KEYS[3]) ~= ARGV[3] then
    return {0, current or -1, base_version}
end
if redis.call('HGET', KEYS[5], 'id') ~= ARGV[4] or redis.call('HGET', KEYS[5], 'fired') ~= ARGV[5] then
    return {2, current, base_version}
end
local version = current
for i = 7, #ARGV do
    redis.call('RPUSH', KEYS[2], ARGV[i])
    version = redis.call('INCR', KEYS[1])
end
redis.call('HINCRBY', KEYS[5], 'fired', 1)
if ARGV[6] ~= '' then
    redis.call('RPUSH', KEYS[6], ARGV[6])
    redis.call('LTRIM', KEYS[6], -100, -1)
end
if version ~= current then redis.call('PUBLISH', ARGV[2], version) end
return {1, version, base_version}
"""

# KEYS: scenario failures   ARGV: the document's digest, then field, value pairs
# A scenario started by the command line (--scenario): the first worker starts it, the others (and a
# worker started again) find the same document playing and join it. -> 1 started, 0 joined
START_ONCE = """
if redis.call('HGET', KEYS[1], 'digest') == ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""

# KEYS: scenario   ARGV: id, then field, value pairs -> 1 changed, 0 another scenario (or none) is there
UPDATE_SCENARIO = """
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
"""

# KEYS: version base base_version log   ARGV: document, channel -> the new version, or -1 when the
# store holds no state (emptied): the worker seeds it again and replaces then
REPLACE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local version = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], version)
redis.call('DEL', KEYS[4])
redis.call('PUBLISH', ARGV[2], version)
return version
"""

# KEYS: version base base_version log   ARGV: document of the state at version V, V
# Folds the log up to V into the base; a no-op when the base is already as new (a replace came first).
COMPACT = """
local base_version = tonumber(redis.call('GET', KEYS[3]))
local at = tonumber(ARGV[2])
if not base_version or base_version >= at then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[4], at - base_version, -1)
redis.call('SET', KEYS[3], at)
return 1
"""

# KEYS: version base base_version log initial journal faults   ARGV: fault key prefix, channel
# -> the new version, or -1 when the store holds no state (emptied): the worker seeds it again first
RESET = """
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[5]) == 0 then return -1 end
local ids = redis.call('LRANGE', KEYS[7], 0, -1)
for i = 1, #ids do redis.call('DEL', ARGV[1] .. ids[i]) end
redis.call('DEL', KEYS[7], KEYS[6], KEYS[4])
local version = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], redis.call('GET', KEYS[5]))
redis.call('SET', KEYS[3], version)
redis.call('PUBLISH', ARGV[2], version)
return version
"""

# KEYS: version journal journal_id faults epoch
# ARGV: held version, held epoch, journal limit, fault key prefix, then one per request, in the
#       order they arrived: "STATUS TAB LA TAB LG TAB" then account (LA bytes, '' off the route: no
#       faults), agent (LG bytes) and the journal entry
# -> {0, current version} when the held state is stale (answer again from the current one), else
#    {1, ''} when no fault applied to any, or {1, "D,S,R,X,IDS;..."} per request: delay ms, status
#    (0: none), retry-after (-1: none), drop (0|1), applied fault ids separated by spaces
# One call admits every request a worker answered while the previous call was out: the cost of a
# round trip is shared. The fault rules are FaultInjector.decide's, with its generator.
ADMIT = """
local current = tonumber(redis.call('GET', KEYS[1]))
if current ~= tonumber(ARGV[1]) or redis.call('GET', KEYS[5]) ~= ARGV[2] then return {0, current or -1} end
local limit, prefix = tonumber(ARGV[3]), ARGV[4]
local have_faults = redis.call('LLEN', KEYS[4]) > 0

local function decide(account, agent)
    local delay, status, retry_after, drop, applied = 0, 0, -1, 0, {}
    if account == '' or not have_faults then return delay, status, retry_after, drop, applied end
    local ids = redis.call('LRANGE', KEYS[4], 0, -1)
    for i = 1, #ids do
        local key = prefix .. ids[i]
        local f = redis.call('HMGET', key, 'kind', 'account', 'agent', 'remaining', 'probability',
                             'low', 'high', 'status', 'retry_after', 'random')
        local kind, remaining, random = f[1], tonumber(f[4]), tonumber(f[10])
        local matches = (f[2] == '' or f[2] == account) and (f[3] == '' or f[3] == agent) and remaining ~= 0
        if matches and not (kind ~= 'delay' and (status ~= 0 or drop == 1)) then
            local applies = true
            local probability = tonumber(f[5])
            if probability < 1 then
                random = (random * 16807) % 2147483647
                applies = random / 2147483647 < probability
            end
            if applies then
                if remaining > 0 then remaining = remaining - 1 end
                applied[#applied + 1] = ids[i]
                if kind == 'delay' then
                    local low, high = tonumber(f[6]), tonumber(f[7])
                    if low == high then
                        delay = delay + low
                    else
                        random = (random * 16807) % 2147483647
                        delay = delay + low + random % (high - low + 1)
                    end
                elseif kind == 'status' then
                    status, retry_after = tonumber(f[8]), tonumber(f[9])
                else
                    drop = 1
                end
            end
            if remaining == 0 then
                redis.call('LREM', KEYS[4], 0, ids[i])
                redis.call('DEL', key)
            else
                redis.call('HSET', key, 'remaining', remaining, 'random', random)
            end
        end
    end
    have_faults = redis.call('LLEN', KEYS[4]) > 0
    return delay, status, retry_after, drop, applied
end

local decided, any_fault, entries = {}, false, {}
local id = redis.call('INCRBY', KEYS[3], #ARGV - 4) - (#ARGV - 4)
for n = 5, #ARGV do
    local request = ARGV[n]
    local answered, account_length, agent_length, rest = string.match(request, '^(%d+)\t(%d+)\t(%d+)\t()')
    account_length, agent_length = tonumber(account_length), tonumber(agent_length)
    local account = string.sub(request, rest, rest + account_length - 1)
    local agent = string.sub(request, rest + account_length, rest + account_length + agent_length - 1)
    local entry = string.sub(request, rest + account_length + agent_length)
    local delay, status, retry_after, drop, applied = decide(account, agent)
    local shown_status, fault = answered, ''
    if drop == 1 then shown_status, fault = '', 'drop'
    elseif status ~= 0 then shown_status, fault = tostring(status), 'status'
    elseif delay > 0 then fault = 'delay' end
    if #applied > 0 then any_fault = true end
    id = id + 1
    entries[#entries + 1] = id .. '\t' .. shown_status .. '\t' .. fault .. '\t' .. entry
    decided[#decided + 1] = delay .. ',' .. status .. ',' .. retry_after .. ',' .. drop .. ',' .. table.concat(applied, ' ')
end
redis.call('RPUSH', KEYS[2], unpack(entries))
redis.call('LTRIM', KEYS[2], -limit, -1)
if any_fault then return {1, table.concat(decided, ';')} end
return {1, ''}
"""

# KEYS: faults   ARGV: fault key prefix -> how many were cleared
CLEAR_FAULTS = """
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
for i = 1, #ids do redis.call('DEL', ARGV[1] .. ids[i]) end
redis.call('DEL', KEYS[1])
return #ids
"""

# KEYS: journal -> how many were cleared
CLEAR_JOURNAL = """
local count = redis.call('LLEN', KEYS[1])
redis.call('DEL', KEYS[1])
return count
"""

# KEYS: workers (set)   ARGV: ack key prefix, version, epoch
# -> how many live workers (those whose ack key has not expired) have not applied `version` yet;
#    a worker whose ack key expired is dropped from the set
LAGGING = """
local lagging = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local ack = redis.call('GET', ARGV[1] .. worker)
    if not ack then
        redis.call('SREM', KEYS[1], worker)
    else
        local epoch, version = string.match(ack, '^([^:]*):(%d+)$')
        if epoch == ARGV[3] and tonumber(version) < tonumber(ARGV[2]) then lagging = lagging + 1 end
    end
end
return lagging
"""
