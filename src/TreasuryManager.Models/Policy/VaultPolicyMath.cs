using System.Numerics;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Models.Policy;

/// <summary>
/// The TreasuryVault's guard formulas (its NatSpec header), exactly, in BigInteger: the keeper checks a plan
/// off-chain with the same numbers the vault checks on-chain, and the contract tests check the vault's error
/// arguments against them.
/// </summary>
public static class VaultPolicyMath
{
    private static readonly BigInteger Q96 = BigInteger.One << 96;
    private static readonly BigInteger Q128 = BigInteger.One << 128;

    /// <summary>
    /// The oracle answer as a pool price in Q128.128 with scale exponent <paramref name="exp"/> = dec(token1) − dec(token0)
    /// − dec(feed); null where the vault reverts with OraclePriceOutOfRange (answer or scaled answer ≥ 2^128, or 0).
    /// </summary>
    public static BigInteger? PriceX128(BigInteger answer, int exp)
    {
        if (answer.Sign <= 0 || answer >= Q128) return null;
        BigInteger price;
        if (exp >= 0)
        {
            var scaled = answer * BigInteger.Pow(10, exp);
            if (scaled >= Q128) return null;
            price = scaled << 128;
        }
        else
        {
            price = (answer << 128) / BigInteger.Pow(10, -exp);
        }
        return price.IsZero ? null : price;
    }

    /// <summary>floor(|pc − po| · 1e4 / po) with pc = floor(c² / 2^64): how far a centre lies from the oracle, bps.</summary>
    public static BigInteger SkewBps(BigInteger centreSqrtPriceX96, BigInteger priceX128)
    {
        var pc = centreSqrtPriceX96 * centreSqrtPriceX96 >> 64;
        return BigInteger.Abs(pc - priceX128) * 10_000 / priceX128;
    }

    /// <summary>floor(v0 · 1e4 / (v0 + reserve1)) with v0 = floor(reserve0 · priceX128 / 2^128): base's share of value, bps.</summary>
    public static BigInteger BaseShareBps(BigInteger reserve0, BigInteger reserve1, BigInteger priceX128)
    {
        var v0 = reserve0 * priceX128 >> 128;
        return v0 + reserve1 == 0 ? 0 : v0 * 10_000 / (v0 + reserve1);
    }

    /// <summary>floor(((high/low)² − 1) · 1e4) in the vault's fixed point (r = floor(high·2^96/low), p = floor(r²/2^96)); 2^256 − 1 when r ≥ 2^128.</summary>
    public static BigInteger WidthBps(BigInteger high, BigInteger low)
    {
        var r = (high << 96) / low;
        if (r >= Q128) return Uint.Max256;
        var p = r * r >> 96;
        return BigInteger.Abs(p - Q96) * 10_000 >> 96;
    }

    /// <summary>
    /// The centre's signed skew, bps: +<see cref="SkewBps"/> when pc = floor(c² / 2^64) lies above the oracle price, else
    /// −<see cref="SkewBps"/> (the sign of TreasuryVault's Rebalanced.skewBps and SkewAgainstInventory.skewBps).
    /// </summary>
    public static BigInteger SignedSkewBps(BigInteger centreSqrtPriceX96, BigInteger priceX128)
    {
        var skew = SkewBps(centreSqrtPriceX96, priceX128);
        return (centreSqrtPriceX96 * centreSqrtPriceX96 >> 64) > priceX128 ? skew : -skew;
    }

    /// <summary>
    /// The largest |skew| (bps) TreasuryVault allows in the direction of <paramref name="signedSkewBps"/> at base share
    /// <paramref name="shareBps"/> (SkewAgainstInventory): target = ⌊(min + max)/2⌋, halfBand = ⌊(max − min)/2⌋; toward the
    /// target (skew &lt; 0 needs share &gt; target, skew &gt; 0 needs share &lt; target) it is maxSkew when |share − target| ≥ halfBand,
    /// else ⌊maxSkew · |share − target| / halfBand⌋; against it, 0. A skew of 0 bps always passes.
    /// </summary>
    public static BigInteger AllowedSkewBps(BigInteger signedSkewBps, BigInteger shareBps, int minBaseShareBps, int maxBaseShareBps, int maxSkewBps)
    {
        var target = (minBaseShareBps + maxBaseShareBps) / 2;
        var halfBand = (maxBaseShareBps - minBaseShareBps) / 2;
        var toward = signedSkewBps.Sign < 0 ? shareBps > target : shareBps < target;
        if (!toward) return BigInteger.Zero;
        var imbalance = BigInteger.Abs(shareBps - target);
        return imbalance >= halfBand ? maxSkewBps : maxSkewBps * imbalance / halfBand;
    }

    /// <summary>TreasuryVault.UNBOUNDED_WIDTH_BPS: a maximum width bound of type(uint32).max is no upper bound (a full range).</summary>
    public const long UnboundedWidthBps = uint.MaxValue;

    /// <summary>Whether a range of <paramref name="widthBps"/> is wider than the policy's maximum (never, when it is
    /// <see cref="UnboundedWidthBps"/>): TreasuryVault's WidthOutOfBounds upper check.</summary>
    public static bool AboveMaxWidth(BigInteger widthBps, long maxWidthBps) => maxWidthBps != UnboundedWidthBps && widthBps > maxWidthBps;

    /// <summary>The log half-width of a full range on a ManagedPool, which has no infinite bound: ±ln(10⁵) (to four decimals)
    /// around the price (price ×/÷ 100,000), whose reserves a constant-product pool's match to within 0.3%. The widest range
    /// the keeper asks for when the policy's width is unbounded, and the backtest's "full range".</summary>
    public const double FullRangeHalfWidth = 11.5129;

    /// <summary>
    /// Whether the skew-direction rule accepts the signed skew at that share (see <see cref="AllowedSkewBps"/>): a skew of
    /// at most <paramref name="toleranceBps"/> either way passes (TreasuryVault: 0; the Uniswap v3 manager: half the pool's
    /// tick spacing, <see cref="GridSkewToleranceBps"/>).
    /// </summary>
    public static bool SkewTowardInventoryOk(BigInteger signedSkewBps, BigInteger shareBps, int minBaseShareBps, int maxBaseShareBps, int maxSkewBps, int toleranceBps = 0) =>
        BigInteger.Abs(signedSkewBps) <= toleranceBps || BigInteger.Abs(signedSkewBps) <= AllowedSkewBps(signedSkewBps, shareBps, minBaseShareBps, maxBaseShareBps, maxSkewBps);

    /// <summary>
    /// GuardMath.gridSkewToleranceBps: the skew a Uniswap v3 range's centre may have either way whatever the inventory,
    /// half a tick spacing in bps rounded up — with h = ⌈spacing/2⌉ ticks, h + ⌊h²/19,000⌋ + 1 ≥ 10⁴·(1.0001^h − 1) for
    /// spacings up to 3,000. A range on the pool's tick grid cannot centre closer to the oracle than half a spacing.
    /// </summary>
    public static int GridSkewToleranceBps(int tickSpacing)
    {
        if (tickSpacing <= 0) throw new ArgumentOutOfRangeException(nameof(tickSpacing), tickSpacing, "a tick spacing is positive");
        long h = (tickSpacing + 1L) / 2;
        return (int)(h + h * h / 19_000 + 1);
    }

    /// <summary>
    /// TreasuryVault's loss budget for a window started at holdings (<paramref name="start0"/>, <paramref name="start1"/>):
    /// hold = ⌊start0 · priceX128 / 2^128⌋ + start1, value = ⌊reserve0 · priceX128 / 2^128⌋ + reserve1 (both at today's oracle),
    /// loss = max(hold − value, 0), budget = ⌊hold · maxLossBps / 1e4⌋; the rebalance reverts with LossBudgetExceeded when loss &gt; budget.
    /// </summary>
    public static (BigInteger Loss, BigInteger Budget) LossAndBudget(BigInteger start0, BigInteger start1, BigInteger reserve0, BigInteger reserve1, BigInteger priceX128, int maxLossBps)
    {
        var hold = (start0 * priceX128 >> 128) + start1;
        var value = (reserve0 * priceX128 >> 128) + reserve1;
        return (value < hold ? hold - value : BigInteger.Zero, hold * maxLossBps / 10_000);
    }

    /// <summary>
    /// Whether TreasuryVault's inventory rule accepts base share <paramref name="shareBps"/>: inside [min, max], or anywhere
    /// when the policy allows inventory recovery (the skew-direction rule, <see cref="SkewTowardInventoryOk"/>, still applies).
    /// </summary>
    public static bool InventoryOk(BigInteger shareBps, int minBaseShareBps, int maxBaseShareBps, bool allowInventoryRecovery) =>
        allowInventoryRecovery || (shareBps >= minBaseShareBps && shareBps <= maxBaseShareBps);

    /// <summary>
    /// Whether TreasuryVault skips the TWAP check for a rebalance of a pool whose spot (before the reposition) is
    /// <paramref name="spotSqrtPriceX96"/> on range [<paramref name="lowX96"/>, <paramref name="highX96"/>]: the spot sits on a
    /// bound and the oracle lies beyond it on the same side, with the edge's price pe = ⌊e² / 2^64⌋ (Q128.128):
    /// spot = low and priceX128 &lt; pe, or spot = high and priceX128 &gt; pe. (Swaps stop at the edge, so the TWAP cannot
    /// follow the oracle there; pushing the pool to that edge pushes it toward the oracle.)
    /// </summary>
    public static bool TwapCheckExempt(BigInteger spotSqrtPriceX96, BigInteger lowX96, BigInteger highX96, BigInteger priceX128)
    {
        var edgePrice = spotSqrtPriceX96 * spotSqrtPriceX96 >> 64;
        if (spotSqrtPriceX96 == lowX96) return priceX128 < edgePrice;
        if (spotSqrtPriceX96 == highX96) return priceX128 > edgePrice;
        return false;
    }

    /// <summary>|twapLogPrice − coarseLog(oracle)| in log-price units; the vault reverts with TwapDeviation above maxTwapDeviationLog.</summary>
    public static BigInteger TwapDeviationLog(BigInteger twapLogPrice, BigInteger priceX128) =>
        BigInteger.Abs(twapLogPrice - LogMath.CoarseLogPriceFromPriceX128(priceX128));

    /// <summary>TreasuryVault._setMaxTwapDeviation: maxTwapDeviationLog = logPrice(⌊√(⌊(1e4 + bps)·2^192 / 1e4⌋)⌋), the bps bound
    /// as a log-price distance (the vault stores it; a Uniswap v3 policy has only the bps).</summary>
    public static BigInteger MaxTwapDeviationLog(int bps) =>
        LogMath.LogPrice(Uint.Sqrt(FullMath.MulDiv(10_000 + bps, BigInteger.One << 192, 10_000)));
}
