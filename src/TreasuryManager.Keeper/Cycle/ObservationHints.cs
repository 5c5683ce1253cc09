using TreasuryManager.Contracts.Observations;
using TreasuryManager.Contracts.UniswapV3;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>
/// A plan's observation hint, for both venues: a ManagedPool's (Target.observationHint, <see
/// cref="ManagedPoolObservationHint"/>: the pool reads one slot of its ring for the rebalance's TWAP instead of searching
/// it, about 25,000 gas less) and a Uniswap v3 manager's (RangeTarget.observationHint, <see
/// cref="UniswapV3ObservationHint"/>: it reads the hinted pair instead of calling observe). Finding one reads the pool's
/// ring in one JSON-RPC batch (a ring over <see cref="ObservationRing.BatchSize"/> slots in a few), between the Observe and
/// the Guard batches, only in the cycles that plan; the ring's position comes from the Observe batch.
/// </summary>
public static class ObservationHints
{
    /// <summary>The earliest a rebalance can land after the observed block, in seconds (the next block, on any chain).
    /// The hint is computed for that block's TWAP window. Landing later moves the window's start forward: a ManagedPool's
    /// hint stays right until the start passes the hinted observation (then the pool searches), a v3 manager walks
    /// forward past up to 8 newer observations. A hint for a later time would be after the start of an earlier block's
    /// window, which neither can use (the v3 manager would revert InvalidObservationHint on a chain with blocks faster
    /// than the guess).</summary>
    public const long EarliestLandingSeconds = 1;

    /// <summary>
    /// <paramref name="plan"/> with its venue's hint for a rebalance landing <see cref="EarliestLandingSeconds"/> after
    /// the observed block (<paramref name="blockNumber"/>, at <paramref name="timestamp"/>), from the ring as of that block
    /// and the pool's ring position as <paramref name="read"/> observed it; and the JSON-RPC requests that took. A ring
    /// that cannot be read leaves the plan without a hint, and a reason in the plan that says so: the result is the same
    /// and the Guard's estimate shows the search's gas (a v3 manager checks a hint, InvalidObservationHint, which the Guard's simulation would see first).
    /// </summary>
    public static async Task<(Plan Plan, int RoundTrips)> WithObservationHintAsync(Plan plan, PoolObservation read, RpcClient rpc,
        long timestamp, long blockNumber, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(read);
        var roundTrips = 0;
        Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> Counted(Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> reader) => slots =>
        {
            roundTrips++;
            return reader(slots);
        };
        var block = BlockTag.Number(blockNumber);
        try
        {
            if (plan.UniswapV3 is { } v3 && read.UniswapV3 is { } v3Read)
            {
                var hint = await UniswapV3ObservationHint.FindAsync(Counted(UniswapV3ObservationHint.Reader(rpc, plan.Pool, block, ct)),
                    (int)v3Read.Slot0.ObservationIndex, (int)v3Read.Slot0.ObservationCardinality,
                    timestamp + EarliestLandingSeconds - (long)v3Read.Policy.Params.TwapWindow).ConfigureAwait(false);
                return (plan with { UniswapV3 = v3 with { Target = v3.Target with { ObservationHint = hint } } }, roundTrips);
            }
            if (plan.UniswapV3 is null && read.State is { } state && read.Policy is { } policy)
            {
                var hint = await ManagedPoolObservationHint.FindAsync(Counted(ManagedPoolObservationHint.Reader(rpc, plan.Pool, block, ct)),
                    (int)state.ObservationIndex, (int)state.ObservationCardinality, (int)state.ObservationCardinalityNext,
                    timestamp + EarliestLandingSeconds - (long)policy.Params.TwapWindow).ConfigureAwait(false);
                return (plan with { Action = plan.Action with { Target = plan.Action.Target with { ObservationHint = hint } } }, roundTrips);
            }
        }
        catch (Exception e) when (e is RpcException or EthereumFormatException)
        {
            // no hint: the same rebalance at the search's gas, said in the plan (the Guard's estimate prices it)
            var why = $"observation hint: none, the pool's observation ring could not be read ({e.Message}); the rebalance's TWAP searches the ring (more gas, the same result)";
            return (plan with { Action = plan.Action with { Reasons = [.. plan.Action.Reasons, why] } }, roundTrips);
        }
        return (plan, roundTrips);
    }
}
