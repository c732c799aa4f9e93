"""Many clients at once: nothing lost, ids unique and increasing."""

from concurrent.futures import ThreadPoolExecutor


def test_parallel_posts(sandbox, x_client):
    clients = []
    for n in range(8):
        user = sandbox.state.add_user(f"user{n}")
        token, _ = sandbox.state.issue_token(user["id"])
        clients.append(x_client(token))

    def post_many(n):
        return [
            clients[n].create_tweet(text=f"user {n} post {i}", user_auth=False).data["id"] for i in range(25)
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post_many, range(8)))

    ids = [tweet_id for batch in results for tweet_id in batch]
    assert len(ids) == 200
    assert len(set(ids)) == 200
    for batch in results:
        assert [int(i) for i in batch] == sorted(int(i) for i in batch)
    assert len(sandbox.state.tweets) == 200
    counters = sandbox.state.snapshot()["counters"]
    assert counters["create_calls"] == 200 and counters["tweets_created"] == 200
