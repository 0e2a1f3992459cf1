"""Django's Redis cache with two costs of every call taken out (the API's throttles, key
guard and list cache make several cache calls per request):

- Django's RedisCacheClient makes a new `redis.Redis` on every call, and each copies
  redis-py's table of some 170 response callbacks. A client is only a pool and that
  table, safe to share between threads: one per pool serves every call.
- Its `incr` asks whether the key exists, then increments it: two round trips, and a key
  that expires between them comes back without its expiry. One server-side script does
  both at once.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# Django's incr: ValueError for a missing key (the script answers nil), else the new value.
INCR_EXISTING = """
if redis.call("exists", KEYS[1]) == 1 then return redis.call("incrby", KEYS[1], ARGV[1]) end
"""


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_scripts = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return self._clients[index]

    def incr(self, key, delta):
        index = self._get_connection_pool_index(True)
        if index not in self._incr_scripts:
            client = self.get_client(key, write=True)
            self._incr_scripts[index] = client.register_script(INCR_EXISTING)
        value = self._incr_scripts[index](keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
