using CsCheck;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Fleet;

namespace TreasuryManager.Keeper.Tests;

public sealed class FleetAssignmentTests
{
    private static Address Pool(int i) => Address.Parse($"0x{i + 1:x40}");

    private static readonly Gen<(int Keepers, int Pools)> Sizes = Gen.Select(Gen.Int[1, 6], Gen.Int[1, 40]);

    [Fact]
    public void With_every_lease_free_exactly_one_live_keeper_takes_each_pool()
    {
        Sizes.Sample((keepers, poolCount) =>
        {
            var ids = Enumerable.Range(0, keepers).Select(k => $"keeper-{k}").ToArray();
            var pools = Enumerable.Range(0, poolCount).Select(Pool).ToArray();
            var free = new Dictionary<Address, string?>();
            var takers = pools.ToDictionary(p => p, p => ids.Count(id => FleetAssignment.Plan(id, pools, ids, free)[p] == LeaseStep.Take));
            return takers.Values.All(n => n == 1);
        }, iter: 200);
    }

    [Fact]
    public void When_a_keeper_dies_only_its_pools_move_and_the_holders_keep_theirs()
    {
        Sizes.Where(s => s.Keepers >= 2).Sample((keepers, poolCount) =>
        {
            var ids = Enumerable.Range(0, keepers).Select(k => $"keeper-{k}").ToArray();
            var pools = Enumerable.Range(0, poolCount).Select(Pool).ToArray();
            var before = pools.ToDictionary(p => p, p => FleetAssignment.PreferredKeeper(p, ids));
            var dead = ids[0];
            var alive = ids[1..];
            var holders = before.ToDictionary(kv => kv.Key, kv => kv.Value == dead ? null : kv.Value); // the dead keeper's leases expired
            foreach (var pool in pools)
            {
                var steps = alive.Select(id => (id, step: FleetAssignment.Plan(id, pools, alive, holders)[pool])).ToArray();
                if (before[pool] == dead)
                {
                    if (steps.Count(s => s.step == LeaseStep.Take) != 1) return false; // exactly one survivor takes it over
                }
                else if (steps.Single(s => s.id == before[pool]).step != LeaseStep.Keep || steps.Any(s => s.step == LeaseStep.Take))
                    return false; // its holder keeps it; nobody else reaches for it
            }
            return true;
        }, iter: 200);
    }

    [Fact]
    public void A_keeper_that_joins_gets_its_pools_handed_back_and_the_spread_is_even()
    {
        var pools = Enumerable.Range(0, 300).Select(Pool).ToArray();
        var ids = new[] { "a", "b", "c" };
        var counts = ids.ToDictionary(id => id, id => pools.Count(p => FleetAssignment.PreferredKeeper(p, ids) == id));
        Assert.All(counts.Values, n => Assert.InRange(n, 70, 130)); // 100 each on average

        // "a" held everything alone; "b" and "c" join: "a" releases exactly the pools now preferred for them
        var held = pools.ToDictionary(p => p, _ => (string?)"a");
        var steps = FleetAssignment.Plan("a", pools, ids, held);
        Assert.Equal(counts["b"] + counts["c"], steps.Values.Count(s => s == LeaseStep.Release));
        Assert.Equal(counts["a"], steps.Values.Count(s => s == LeaseStep.Keep));
        Assert.All(FleetAssignment.Plan("b", pools, ids, held).Values, s => Assert.Equal(LeaseStep.Leave, s)); // b waits for the hand-back
        Assert.Null(FleetAssignment.PreferredKeeper(pools[0], []));
    }
}
