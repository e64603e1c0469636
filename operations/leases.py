"""Redis scripts shared by every lease the console holds (monitor leases, operation
locks): only the holder whose value is in the key may extend or drop it."""

# KEYS[1] the key, ARGV[1] the holder's value, ARGV[2] the new TTL in ms.
RENEW_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS[1] the key, ARGV[1] the holder's value.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
