-- wrk script for benchmarks/proxy.py: every request distinct, as real traffic is. Version 1 and 2
-- alternate, version 2's size cycles through 1 to 100, and an ignored parameter counts up.
counter = 0

request = function()
  counter = counter + 1
  local path = "/v0/a1b2c3d4e5/agents/agent-7/latestInteractions?trace=" .. counter
  local accept = "application/json;version=1"
  if counter % 2 == 0 then
    path = path .. "&size=" .. (counter % 100 + 1)
    accept = "application/json;version=2"
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer valid-token", ["Accept"] = accept })
end
