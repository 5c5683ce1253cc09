using System.Numerics;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Simulation;

/// <summary>PerpMarket's fixed parameters (contracts/perp/PerpMarket.sol; fundingRateWad is ignored in premium mode).</summary>
public sealed record PerpParams(
    BigInteger FundingRateWad, long FundingInterval, int TradeFeePips, int InitialMarginPips, int MaintenanceMarginPips,
    int LiquidationPenaltyPips, bool PremiumMode)
{
    public static PerpParams From(PerpSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.FundingMode == FundingMode.Rate ? s.FundingRateWad : BigInteger.Zero, s.FundingIntervalSeconds, s.FeePips,
            s.InitialMarginPips, s.MaintenanceMarginPips, s.LiquidationPenaltyPips, s.FundingMode == FundingMode.Premium);
    }
}

/// <summary>The block a PerpMarket call runs in: its timestamp and what the mark (and index) feeds answer then, as PerpMarket prices (quote units per base unit × 1e36).</summary>
public readonly record struct PerpTick(long Timestamp, BigInteger Mark, BigInteger Index);

/// <summary>What an account did on the market so far, from the market's own events (FundingPaid, Traded fees, margin moves, Liquidated).</summary>
public sealed record PerpAccountTotals(BigInteger FundingPaid, BigInteger FeesPaid, BigInteger Deposited, BigInteger Withdrawn, int Trades, int Liquidations, BigInteger PenaltiesPaid);

/// <summary>PerpMarket.accountOf: the stored account.</summary>
public sealed record PerpAccount(BigInteger Margin, BigInteger Size, BigInteger OpenNotional, BigInteger FundingIndex);

/// <summary>PerpMarket.accountView: the account with its pending funding, marked (the contract's field names).</summary>
public sealed record PerpAccountView(BigInteger Margin, BigInteger Size, BigInteger MarkPrice, BigInteger UnrealizedPnl, BigInteger Equity, BigInteger Notional, BigInteger InitialMargin, BigInteger MaintenanceMargin);

/// <summary>A call PerpMarket would revert (the contract's error name and arguments).</summary>
public sealed class PerpRevertException(string error) : Exception($"PerpMarket would revert: {error}")
{
    public string Error { get; } = error;
}

/// <summary>PerpMarket's price and value formulas (no state).</summary>
public static class InMemoryPerp
{
    /// <summary>
    /// PerpMarket's price from a feed answer: answer·10^e or floor(answer/10^−e), e = 36 + quoteDecimals − baseDecimals −
    /// feedDecimals; like the contract, a non-positive answer or a price outside (0, 2^128) is NonPositivePrice (an
    /// 18-decimal quote at 2,000 per base would be 2e39: hence the simulation's 6-decimal margin token).
    /// </summary>
    public static BigInteger Price(BigInteger answer, int feedDecimals, int baseDecimals = 18, int quoteDecimals = 6)
    {
        var e = 36 + quoteDecimals - baseDecimals - feedDecimals;
        var p = e >= 0 ? answer * BigInteger.Pow(10, e) : answer / BigInteger.Pow(10, -e);
        if (answer.Sign <= 0 || answer >= BigInteger.One << 128 || p.Sign <= 0 || p >= BigInteger.One << 128)
            throw new PerpRevertException($"NonPositivePrice(feed, {answer})");
        return p;
    }

    /// <summary>floor(size·p/1e36), toward −∞ (the hedge planner's <see cref="PerpHedgeMath.Value"/>: one copy of the contract's formula).</summary>
    public static BigInteger Value(BigInteger size, BigInteger p) => PerpHedgeMath.Value(size, p);

}

/// <summary>
/// PerpMarket's accounting in memory, integer for integer (the NatSpec of contracts/perp/PerpMarket.sol): signed
/// positions in base units, quote margin, value(size, p) = floor(size·p/1e36), fee = ceil(floor(|Δ|·p/1e36)·feePips/1e6),
/// funding settled in whole intervals at the mark read then (a fixed rate, or the premium trunc((p − index)·1e18/index))
/// into a cumulative index, the payer's payment rounded up (ceil(size·Δindex/1e36)), initial and maintenance margin,
/// liquidation with penalty and bad debt. Calls that would revert throw <see cref="PerpRevertException"/> and leave the
/// state as it was (as a reverted transaction does). The parity test drives it and the contract side by side.
/// </summary>
/// <typeparam name="TAccount">What identifies an account (an address on chain, a name in the backtest).</typeparam>
public sealed class InMemoryPerp<TAccount> where TAccount : notnull
{
    private static readonly BigInteger PriceScale = BigInteger.Pow(10, 36);
    private static readonly BigInteger Wad = BigInteger.Pow(10, 18);
    private static readonly BigInteger Pips = 1_000_000;
    private static readonly BigInteger Int128Max = (BigInteger.One << 127) - 1;

    private sealed record State(BigInteger Margin, BigInteger Size, BigInteger OpenNotional, BigInteger FundingIndex, PerpAccountTotals Totals);

    private static readonly PerpAccountTotals NoTotals = new(0, 0, 0, 0, 0, 0, 0);
    private static readonly State Empty = new(0, 0, 0, 0, NoTotals);

    private Dictionary<TAccount, State> _accounts = [];

    public InMemoryPerp(PerpParams parameters, long deployedAt)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.FundingInterval <= 0) throw new ArgumentOutOfRangeException(nameof(parameters), parameters.FundingInterval, "the funding interval must be positive");
        Params = parameters;
        LastFundingTime = deployedAt;
    }

    public PerpParams Params { get; }
    public BigInteger FundingIndex { get; private set; }
    public BigInteger LastFundingTime { get; private set; }
    public BigInteger FeesCollected { get; private set; }
    public BigInteger BadDebt { get; private set; }

    /// <summary>The trade fee of <paramref name="sizeDelta"/> at <paramref name="p"/>.</summary>
    public BigInteger Fee(BigInteger sizeDelta, BigInteger p) => PerpHedgeMath.TradeFee(sizeDelta, p, Params.TradeFeePips);

    /// <summary>The funding rate (wad per interval) at mark <paramref name="p"/>.</summary>
    public BigInteger FundingRate(BigInteger p, BigInteger index) => Params.PremiumMode ? (p - index) * Wad / index : Params.FundingRateWad;

    public PerpAccount AccountOf(TAccount account)
    {
        var a = Get(account);
        return new PerpAccount(a.Margin, a.Size, a.OpenNotional, a.FundingIndex);
    }

    public PerpAccountTotals Totals(TAccount account) => Get(account).Totals;

    public void DepositMargin(TAccount account, BigInteger amount)
    {
        if (amount.IsZero) throw new PerpRevertException("ZeroAmount()");
        if (amount.Sign < 0 || amount > Int128Max) throw new PerpRevertException($"InvalidParam(\"amount\", {amount})");
        var a = Get(account);
        _accounts[account] = a with { Margin = a.Margin + amount, Totals = a.Totals with { Deposited = a.Totals.Deposited + amount } };
    }

    public void WithdrawMargin(TAccount account, BigInteger amount, PerpTick tick) => Atomic(() =>
    {
        if (amount.IsZero) throw new PerpRevertException("ZeroAmount()");
        var a = Get(account);
        var p = BigInteger.Zero;
        if (!a.Size.IsZero)
        {
            p = tick.Mark;
            SettleFunding(tick.Timestamp, p, tick.Index);
            a = SettleAccount(account);
        }
        var margin = a.Margin;
        if (amount > Int128Max || amount > margin) throw new PerpRevertException($"InsufficientMargin({account}, {margin}, {amount})");
        margin -= amount;
        if (!a.Size.IsZero)
        {
            var v = InMemoryPerp.Value(a.Size, p);
            var equity = margin + v - a.OpenNotional;
            var im = Ratio(BigInteger.Abs(v), Params.InitialMarginPips);
            if (equity < im) throw new PerpRevertException($"BelowInitialMargin({account}, {equity}, {im})");
        }
        _accounts[account] = a with { Margin = margin, Totals = a.Totals with { Withdrawn = a.Totals.Withdrawn + amount } };
        return 0;
    });

    /// <summary>PerpMarket.trade: returns the fee.</summary>
    public BigInteger Trade(TAccount account, BigInteger sizeDelta, PerpTick tick) => Atomic(() =>
    {
        if (sizeDelta.IsZero) throw new PerpRevertException("ZeroAmount()");
        var p = tick.Mark;
        SettleFunding(tick.Timestamp, p, tick.Index);
        var a = SettleAccount(account);
        var size = a.Size;
        var newSize = size + sizeDelta;
        if (newSize > Int128Max || newSize < -Int128Max) throw new PerpRevertException($"InvalidParam(\"sizeDelta\", {BigInteger.Abs(sizeDelta)})");
        var pnl = InMemoryPerp.Value(size, p) - a.OpenNotional;
        var fee = Fee(sizeDelta, p);
        var margin = a.Margin + pnl - fee;
        var newNotional = InMemoryPerp.Value(newSize, p);
        FeesCollected += fee;
        var reducing = size.Sign > 0 ? newSize.Sign >= 0 && newSize < size : size.Sign < 0 && newSize.Sign <= 0 && newSize > size;
        if (!reducing)
        {
            var im = Ratio(BigInteger.Abs(newNotional), Params.InitialMarginPips);
            if (margin < im) throw new PerpRevertException($"BelowInitialMargin({account}, {margin}, {im})");
        }
        if (newSize.IsZero && margin.Sign < 0)
        {
            BadDebt += -margin;
            margin = 0;
        }
        _accounts[account] = a with
        {
            Margin = margin, Size = newSize, OpenNotional = newNotional,
            Totals = a.Totals with { FeesPaid = a.Totals.FeesPaid + fee, Trades = a.Totals.Trades + 1 },
        };
        return fee;
    });

    /// <summary>
    /// TreasuryVault.adjustHedge against this market, atomically: deposit a positive margin change, trade, withdraw a
    /// negative one (the vault's order). Throws <see cref="PerpRevertException"/> and changes nothing when any step reverts.
    /// </summary>
    public void AdjustHedge(TAccount account, BigInteger sizeDelta, BigInteger marginDelta, PerpTick tick) => Atomic(() =>
    {
        if (marginDelta.Sign > 0) DepositMargin(account, marginDelta);
        if (!sizeDelta.IsZero) Trade(account, sizeDelta, tick);
        if (marginDelta.Sign < 0) WithdrawMargin(account, -marginDelta, tick);
        return 0;
    });

    /// <summary>PerpMarket.settleFunding: the whole intervals elapsed, at this mark; returns their number.</summary>
    public BigInteger SettleFunding(PerpTick tick) => SettleFunding(tick.Timestamp, tick.Mark, tick.Index);

    /// <summary>PerpMarket.liquidate (by a third party): returns the penalty paid to the liquidator and the bad debt written off.</summary>
    public (BigInteger Penalty, BigInteger Deficit) Liquidate(TAccount account, PerpTick tick) => Atomic(() =>
    {
        var p = tick.Mark;
        SettleFunding(tick.Timestamp, p, tick.Index);
        var a = SettleAccount(account);
        var v = InMemoryPerp.Value(a.Size, p);
        var pnl = v - a.OpenNotional;
        var margin = a.Margin + pnl;
        var notional = BigInteger.Abs(v);
        var mm = Ratio(notional, Params.MaintenanceMarginPips);
        if (a.Size.IsZero || margin >= mm) throw new PerpRevertException($"NotLiquidatable({account}, {margin}, {mm})");
        BigInteger penalty = 0, deficit = 0;
        if (margin.Sign > 0)
        {
            penalty = notional * Params.LiquidationPenaltyPips / Pips;
            if (penalty > margin) penalty = margin;
            margin -= penalty;
        }
        else if (margin.Sign < 0)
        {
            deficit = -margin;
            BadDebt += deficit;
            margin = 0;
        }
        _accounts[account] = a with
        {
            Margin = margin, Size = 0, OpenNotional = 0,
            Totals = a.Totals with { Liquidations = a.Totals.Liquidations + 1, PenaltiesPaid = a.Totals.PenaltiesPaid + penalty },
        };
        return (penalty, deficit);
    });

    /// <summary>PerpMarket.accountView: the account with its pending funding, marked at this tick (all zero but size and margin without a position).</summary>
    public PerpAccountView View(TAccount account, PerpTick tick)
    {
        var a = Get(account);
        if (a.Size.IsZero) return new PerpAccountView(a.Margin, a.Size, 0, 0, 0, 0, 0, 0);
        var p = tick.Mark;
        var index = FundingIndex;
        var n = (tick.Timestamp - LastFundingTime) / Params.FundingInterval;
        if (!n.IsZero) index += n * (FundingRate(p, tick.Index) * p / Wad);
        var margin = a.Margin - FundingPayment(a.Size, index - a.FundingIndex);
        var value = InMemoryPerp.Value(a.Size, p);
        var upnl = value - a.OpenNotional;
        var notional = BigInteger.Abs(value);
        return new PerpAccountView(margin, a.Size, p, upnl, margin + upnl, notional,
            Ratio(notional, Params.InitialMarginPips), Ratio(notional, Params.MaintenanceMarginPips));
    }

    /// <summary>The funding the account owes (positive) or is owed at this tick but has not settled yet.</summary>
    public BigInteger PendingFunding(TAccount account, PerpTick tick)
    {
        var a = Get(account);
        return a.Size.IsZero ? BigInteger.Zero : a.Margin - View(account, tick).Margin;
    }

    private BigInteger SettleFunding(long now, BigInteger p, BigInteger indexPrice)
    {
        var last = LastFundingTime;
        var n = (now - last) / Params.FundingInterval;
        if (n.IsZero) return 0;
        if (n.Sign < 0) throw new ArgumentOutOfRangeException(nameof(now), now, $"time {now} is before the last funding time {last}");
        var rate = FundingRate(p, indexPrice);
        FundingIndex += n * (rate * p / Wad);
        LastFundingTime = last + n * Params.FundingInterval;
        return n;
    }

    private State SettleAccount(TAccount account)
    {
        var a = Get(account);
        var delta = FundingIndex - a.FundingIndex;
        if (delta.IsZero) return a;
        a = a with { FundingIndex = FundingIndex };
        if (!a.Size.IsZero)
        {
            var payment = FundingPayment(a.Size, delta);
            a = a with { Margin = a.Margin - payment, Totals = a.Totals with { FundingPaid = a.Totals.FundingPaid + payment } };
        }
        _accounts[account] = a;
        return a;
    }

    /// <summary>ceil(size·Δindex/1e36): the payer pays rounded up, the receiver gets rounded down.</summary>
    private static BigInteger FundingPayment(BigInteger size, BigInteger delta) => -FloorDiv(-(size * delta), PriceScale);

    private State Get(TAccount account) => _accounts.TryGetValue(account, out var a) ? a : Empty;

    private T Atomic<T>(Func<T> call)
    {
        var (accounts, index, last, fees, debt) = (new Dictionary<TAccount, State>(_accounts), FundingIndex, LastFundingTime, FeesCollected, BadDebt);
        try
        {
            return call();
        }
        catch (PerpRevertException)
        {
            (_accounts, FundingIndex, LastFundingTime, FeesCollected, BadDebt) = (accounts, index, last, fees, debt);
            throw;
        }
    }

    private static BigInteger Ratio(BigInteger notional, int pips) => CeilDiv(notional * pips, Pips);

    private static BigInteger FloorDiv(BigInteger a, BigInteger d)
    {
        var q = BigInteger.DivRem(a, d, out var r);
        return !r.IsZero && a.Sign < 0 ? q - 1 : q;
    }

    private static BigInteger CeilDiv(BigInteger a, BigInteger d) => a.IsZero ? 0 : (a - 1) / d + 1;
}
