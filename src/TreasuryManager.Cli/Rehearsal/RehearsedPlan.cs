using TreasuryManager.Keeper.Cycle;

namespace TreasuryManager.Cli.Rehearsal;

/// <summary>
/// Whether the plan the real chain calls for now is the plan rehearsed on the fork: the same pool, kind and vault target
/// (centre, bound, fee, observation hint — every field of the rebalance's calldata; for a Uniswap v3 pool, the manager's
/// range target: ticks and swap). Pure: two typed decisions in, the
/// differences out, each one line naming the field and both values; none means the same plan.
/// </summary>
internal static class RehearsedPlan
{
    public static IReadOnlyList<string> Differences(Plan rehearsed, Decision now)
    {
        ArgumentNullException.ThrowIfNull(rehearsed);
        ArgumentNullException.ThrowIfNull(now);
        if (now.Pool != rehearsed.Pool) return [$"pool: rehearsed {rehearsed.Pool}, now {now.Pool}"];
        if (now is Hold hold) return [$"the keeper now holds ({hold.Reason}: {hold.Detail})"];
        var plan = (Plan)now;
        var differences = new List<string>();
        void Compare<T>(string field, T was, T @is)
        {
            if (!EqualityComparer<T>.Default.Equals(was, @is)) differences.Add($"{field}: rehearsed {was}, now {@is}");
        }
        Compare("kind", rehearsed.Kind, plan.Kind);
        Compare("sqrtPriceX96 (the centre)", rehearsed.Target.SqrtPriceX96, plan.Target.SqrtPriceX96);
        Compare("sqrtPriceBoundX96 (the range)", rehearsed.Target.SqrtPriceBoundX96, plan.Target.SqrtPriceBoundX96);
        Compare("fee (pips)", rehearsed.Target.FeePips, plan.Target.FeePips);
        Compare("observation hint", rehearsed.Target.ObservationHint, plan.Target.ObservationHint);
        // a Uniswap v3 plan's calldata is the manager's range target instead
        Compare("Uniswap v3 range target", rehearsed.UniswapV3?.Target, plan.UniswapV3?.Target);
        return differences;
    }
}
