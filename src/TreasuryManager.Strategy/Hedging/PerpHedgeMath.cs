using System.Globalization;
using System.Numerics;

namespace TreasuryManager.Strategy.Hedging;

/// <summary>A hedge account on a PerpMarket in the market's raw units: signed size in base units, margin and equity in quote units, the mark in quote units per base unit × 1e36.</summary>
public sealed record PerpAccountState(BigInteger Size, BigInteger Margin, BigInteger Equity, BigInteger MarkPrice);

/// <summary>The market's terms a hedge trade pays and must respect: its trade fee and initial margin, pips.</summary>
public sealed record PerpMarketTerms(long TradeFeePips, long InitialMarginPips);

/// <summary>The vault's hedge policy for a pool: the largest notional (quote units) and the least margin ratio (pips) it allows.</summary>
public sealed record HedgeLimits(BigInteger MaxNotional, long MinMarginRatioPips);

/// <summary>A pool's hedge account as the hedge planner sees it, with the human conversions.</summary>
public sealed record PerpHedgeAccount(PerpAccountState Account, PerpMarketTerms Terms, HedgeLimits Limits, int BaseDecimals, int QuoteDecimals)
{
    /// <summary>The price scale of PerpMarket: quote units per base unit × 1e36.</summary>
    public static readonly BigInteger PriceScale = BigInteger.Pow(10, 36);

    /// <summary>Signed position, whole base tokens.</summary>
    public double Size => (double)Account.Size / Math.Pow(10, BaseDecimals);

    /// <summary>Mark, whole quote per whole base.</summary>
    public double MarkPrice => (double)Account.MarkPrice / 1e36 * Math.Pow(10, BaseDecimals - QuoteDecimals);

    /// <summary>Equity (margin after pending funding + unrealised PnL), whole quote.</summary>
    public double Equity => (double)Account.Equity / Math.Pow(10, QuoteDecimals);

    /// <summary>The trade fee rate (0.0005 = 5 bp).</summary>
    public double FeeRate => Terms.TradeFeePips / 1e6;

    /// <summary>The largest |position| the policy's maxNotional allows at this mark, whole base.</summary>
    public double MaxAbsSize => (double)PerpHedgeMath.MaxAbsSize(Limits.MaxNotional, Account.MarkPrice) / Math.Pow(10, BaseDecimals);

    public HedgePosition Position => new(Size, Equity, MarkPrice);
}

/// <summary>A hedge adjustment in raw units, ready for vault.adjustHedge, with the figures it leads to.</summary>
/// <param name="SizeDelta">Base units to trade (signed).</param>
/// <param name="MarginDelta">Quote units to deposit (&gt; 0) or withdraw (&lt; 0).</param>
/// <param name="Clamped">Whether the trade was cut so the notional stays within the policy's maxNotional.</param>
public sealed record PerpOrderPlan(
    BigInteger SizeDelta, BigInteger MarginDelta, BigInteger NewSize, BigInteger Fee, BigInteger NotionalAfter, BigInteger EquityAfter,
    long TargetMarginRatioPips, bool Clamped, string Detail)
{
    public bool IsEmpty => SizeDelta.IsZero && MarginDelta.IsZero;
}

/// <summary>
/// The integer arithmetic of a hedge adjustment on PerpMarket (pure): quantise the size, clamp to maxNotional, pick
/// the margin change. The formulas are PerpMarket's (value = floor(size·p/1e36), fee = ceil(floor(|Δ|·p/1e36)·pips/1e6)).
/// </summary>
public static class PerpHedgeMath
{
    /// <summary>Margin ratio kept above the vault policy's minimum and the market's initial margin, pips (1%): funding and a mark tick between the read and the block must not make the trade revert.</summary>
    public const long SafetyPips = 10_000;

    /// <summary>floor(size·p/1e36), toward −∞ (PerpMarket's value()).</summary>
    public static BigInteger Value(BigInteger size, BigInteger price)
    {
        var n = size * price;
        var q = BigInteger.DivRem(n, PerpHedgeAccount.PriceScale, out var r);
        return r.Sign < 0 ? q - 1 : q;
    }

    public static BigInteger Notional(BigInteger size, BigInteger price) => BigInteger.Abs(Value(size, price));

    /// <summary>
    /// PerpMarket's trade fee: ceil(floor(|sizeDelta|·p/1e36)·feePips/1e6). The floor is of the absolute size's value —
    /// not <see cref="Notional"/>, which for a sell is |floor(Δ·p/1e36)|, one unit more when the division is inexact.
    /// </summary>
    public static BigInteger TradeFee(BigInteger sizeDelta, BigInteger price, BigInteger feePips) =>
        sizeDelta.IsZero ? BigInteger.Zero : CeilDiv(BigInteger.Abs(sizeDelta) * price / PerpHedgeAccount.PriceScale * feePips, 1_000_000);

    /// <summary>The largest |size| whose notional at <paramref name="price"/> (long or short) is ≤ <paramref name="maxNotional"/>.</summary>
    public static BigInteger MaxAbsSize(BigInteger maxNotional, BigInteger price)
    {
        if (price.Sign <= 0) return BigInteger.Zero;
        var m = maxNotional * PerpHedgeAccount.PriceScale / price;
        while (m.Sign > 0 && (Notional(m, price) > maxNotional || Notional(-m, price) > maxNotional)) m -= 1;
        return m;
    }

    /// <summary>Whole tokens to raw units, truncated toward zero (a trade never overshoots the target it was sized for).</summary>
    public static BigInteger ToRawTowardZero(double human, int decimals)
    {
        if (!double.IsFinite(human)) throw new ArgumentOutOfRangeException(nameof(human), human, "a hedge size must be a finite number");
        return new BigInteger(human * Math.Pow(10, decimals));
    }

    /// <summary>
    /// The adjustment for a trade of <paramref name="sizeDelta"/> whole base: the size truncated toward zero to base
    /// units; cut (and said so) when the position after it would exceed the policy's maxNotional at the mark; then the
    /// margin: with N the notional and E the equity after the trade and its fee, and t the target ratio (at least the
    /// policy's minimum and the market's initial margin, each + <see cref="SafetyPips"/>): deposit t·N − E when E &lt; t·N
    /// (the trade must not leave the hedge under-margined); withdraw E − t·N only when E &gt; 2·t·N (well above: margin is
    /// not moved back and forth on every small trade), at most the settled margin; otherwise leave it.
    /// </summary>
    public static PerpOrderPlan Plan(PerpHedgeAccount s, double sizeDelta, double targetMarginRatio)
    {
        ArgumentNullException.ThrowIfNull(s);
        var p = s.Account.MarkPrice;
        var size = s.Account.Size;
        var delta = ToRawTowardZero(sizeDelta, s.BaseDecimals);
        var newSize = size + delta;
        var clamped = false;
        var detail = new List<string>();
        var maxAbs = MaxAbsSize(s.Limits.MaxNotional, p);
        if (BigInteger.Abs(newSize) > maxAbs)
        {
            var cut = newSize.Sign * maxAbs;
            detail.Add(string.Create(CultureInfo.InvariantCulture,
                $"clamped: the position {Human(newSize, s.BaseDecimals):G6} would exceed the policy's maxNotional {Human(s.Limits.MaxNotional, s.QuoteDecimals):G6} quote at the mark; trading to {Human(cut, s.BaseDecimals):G6} instead (the owner may raise maxNotional)"));
            newSize = cut;
            delta = newSize - size;
            clamped = true;
        }
        var fee = TradeFee(delta, p, s.Terms.TradeFeePips);
        var equityAfter = s.Account.Equity - fee;
        var notionalAfter = Notional(newSize, p);
        var targetPips = Math.Max((long)Math.Ceiling(targetMarginRatio * 1e6), Math.Max(s.Limits.MinMarginRatioPips, s.Terms.InitialMarginPips) + SafetyPips);
        var margin = BigInteger.Zero;
        if (!notionalAfter.IsZero)
        {
            var required = CeilDiv(notionalAfter * targetPips, 1_000_000);
            if (equityAfter < required)
            {
                margin = required - equityAfter;
                detail.Add(string.Create(CultureInfo.InvariantCulture, $"deposit {Human(margin, s.QuoteDecimals):G6} quote: equity / notional to the target {targetPips / 1e6:0.####}"));
            }
            else if (equityAfter > 2 * required)
            {
                var settled = delta.IsZero ? s.Account.Margin : equityAfter; // a trade realises the PnL into the margin
                var withdraw = BigInteger.Min(equityAfter - required, BigInteger.Max(BigInteger.Zero, settled));
                if (withdraw.Sign > 0)
                {
                    margin = -withdraw;
                    detail.Add(string.Create(CultureInfo.InvariantCulture, $"withdraw {Human(withdraw, s.QuoteDecimals):G6} quote: equity is over twice the target ratio {targetPips / 1e6:0.####}"));
                }
            }
        }
        return new PerpOrderPlan(delta, margin, newSize, fee, notionalAfter, equityAfter + margin, targetPips, clamped, string.Join("; ", detail));
    }

    public static double Human(BigInteger raw, int decimals) => (double)raw / Math.Pow(10, decimals);

    private static BigInteger CeilDiv(BigInteger a, BigInteger b) => a.Sign <= 0 ? a / b : (a + b - 1) / b;
}
