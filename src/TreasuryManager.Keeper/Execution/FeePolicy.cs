using System.Numerics;

namespace TreasuryManager.Keeper.Execution;

/// <summary>EIP-1559 fees of one attempt, in wei per gas.</summary>
public readonly record struct Fees(BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas);

/// <summary>A replacement's fees, or why none is possible.</summary>
public sealed record FeeBump(Fees? Fees, string? Blocked)
{
    public bool IsPossible => Fees is not null;
}

/// <summary>
/// The executor's fee arithmetic, pure: maxFee = min(cap, 2·baseFee + tip); the tip never above
/// maxFee; a replacement raises both fees by at least the bump (rounded up, and by at least 1 wei)
/// and never past the cap.
/// </summary>
public static class FeePolicy
{
    /// <summary>The fees of a first attempt when the next block's base fee is <paramref name="baseFee"/>.</summary>
    public static Fees Price(BigInteger baseFee, BigInteger tip, BigInteger cap)
    {
        var maxFee = BigInteger.Min(cap, 2 * baseFee + tip);
        return new Fees(maxFee, BigInteger.Min(tip, maxFee));
    }

    /// <summary>
    /// The least fee a replacement of <paramref name="old"/> must carry: old·bump/1000 rounded up,
    /// and strictly above the old one.
    /// </summary>
    public static BigInteger MinimumBumped(BigInteger old, int bumpPerMille) =>
        BigInteger.Max(old + 1, (old * bumpPerMille + 999) / 1000);

    /// <summary>
    /// The fees of a replacement of <paramref name="previous"/>: each at least the bumped old one,
    /// the max fee also at least 2·baseFee + tip so it can be included now, all within the cap.
    /// When the cap leaves no room for a valid bump, <see cref="FeeBump.Blocked"/> says so.
    /// </summary>
    public static FeeBump Bump(Fees previous, BigInteger baseFee, BigInteger tip, BigInteger cap, int bumpPerMille)
    {
        var minTip = MinimumBumped(previous.MaxPriorityFeePerGas, bumpPerMille);
        var minMax = MinimumBumped(previous.MaxFeePerGas, bumpPerMille);
        if (minMax > cap)
            return new FeeBump(null,
                $"cannot replace: a valid replacement needs maxFeePerGas ≥ {minMax} wei (+{(bumpPerMille - 1000) / 10.0:0.#}% over {previous.MaxFeePerGas}), above the cap {cap}; raise MaxFeePerGasCap or wait for the base fee to fall");
        var newTip = BigInteger.Max(minTip, tip);
        var newMax = BigInteger.Min(cap, BigInteger.Max(minMax, 2 * baseFee + newTip));
        if (newTip > newMax)
        {
            if (minTip > newMax)
                return new FeeBump(null,
                    $"cannot replace: a valid replacement needs a tip ≥ {minTip} wei, above the max fee {newMax} the cap {cap} allows; raise MaxFeePerGasCap");
            newTip = newMax;
        }
        return new FeeBump(new Fees(newMax, newTip), null);
    }
}
