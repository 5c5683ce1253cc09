using TreasuryManager.Models.Curve;

namespace TreasuryManager.Simulation;

/// <summary>
/// One strategy's view of one path: its pools (one, or three for the passive strategy: base, limit and full range), the path's exogenous events,
/// and the accounting of every swap (fees, LVR, markouts by trader, token flows). Agents act on it through
/// <see cref="IPoolVenue"/> only.
/// </summary>
public sealed class Market
{
    public Market(MarketPath path, IPoolVenue[] venues)
    {
        Path = path;
        Venues = venues;
    }

    public MarketPath Path { get; }
    public IPoolVenue[] Venues { get; }

    /// <summary>Fee income, valued in quote at the reference price when paid.</summary>
    public double Fees { get; private set; }

    /// <summary>Loss versus rebalancing: Σ over swaps of (output − input net of fee) at the reference price when traded.</summary>
    public double Lvr { get; private set; }

    /// <summary>Fees and LVR by trader class (noise, arbitrageur, informed): the profit decomposition's terms.</summary>
    public double[] FeesBy { get; } = new double[3];
    public double[] LvrBy { get; } = new double[3];

    /// <summary>Gas of the transactions that are not rebalances (the hedge's trades and margin moves), quote; part of <see cref="GasSpent"/>.</summary>
    public double HedgeGasSpent { get; private set; }

    /// <summary>Fair market: noise orders routed to the pool, to the outside venue, and captive ones sent to the pool (counts), and the quote volume the venue took.</summary>
    public int RoutedToPool { get; internal set; }
    public int RoutedToVenue { get; internal set; }
    public int CaptiveToPool { get; internal set; }
    public double VenueVolume { get; internal set; }

    /// <summary>Fee income credited outside swaps (the real-pool replay: the treasury's share of the fees the pool collected), quote.</summary>
    public void CreditFees(double quote)
    {
        Fees += quote;
        ReplayFees += quote;
    }

    /// <summary>Loss along the curve outside swaps (the real-pool replay: the position moved to the real price by the real arbitrageurs), quote.</summary>
    public void ChargeReplayLvr(double quote)
    {
        Lvr += quote;
        LvrBy[(int)Trader.Arbitrageur] += quote;
    }

    /// <summary>The part of <see cref="Fees"/> credited by <see cref="CreditFees"/>.</summary>
    public double ReplayFees { get; private set; }

    /// <summary>Gas the strategy paid for its rebalances, quote.</summary>
    public double GasSpent { get; private set; }
    public int Rebalances { get; private set; }

    /// <summary>The pools' markout per trader class: Σ (input − output) valued at the reference <c>informed.horizon_steps</c> later.</summary>
    public double[] Markout { get; } = new double[3];

    /// <summary>Traded quote value per trader class.</summary>
    public double[] Volume { get; } = new double[3];
    public int[] SwapCount { get; } = new int[3];

    /// <summary>Tokens the traders paid in and received, raw (for the conservation check).</summary>
    public UInt256 Token0In, Token0Out, Token1In, Token1Out;

    public double GasCostQuote(int step, long gasUnits) =>
        gasUnits * Path.GasGwei[step] * 1e-9 * Path.Scenario.Gas.EthPriceInQuote;

    /// <summary>Gas of a transaction that is not a rebalance (a hedge trade or margin move): counted in <see cref="GasSpent"/> only.</summary>
    public void ChargeGas(int step, long gasUnits)
    {
        var cost = GasCostQuote(step, gasUnits);
        GasSpent += cost;
        HedgeGasSpent += cost;
    }

    public void ChargeRebalance(int step, long gasUnits)
    {
        GasSpent += GasCostQuote(step, gasUnits);
        Rebalances++;
    }

    /// <summary>Base and quote held across the pools (human units).</summary>
    public (double Base, double Quote) Inventory()
    {
        double x = 0, y = 0;
        foreach (var v in Venues)
        {
            x += Units.Human(v.State.Reserve0);
            y += Units.Human(v.State.Reserve1);
        }
        return (x, y);
    }

    /// <summary>A swap on <paramref name="venue"/>, accounted. False when the pool refuses it.</summary>
    public bool Swap(IPoolVenue venue, int step, Trader trader, bool zeroForOne, UInt256 amountIn)
    {
        if (!venue.TrySwap(step, trader, zeroForOne, amountIn, out var q)) return false;
        if (q.AmountInUsed.IsZero) return true; // a shared pool's swap that did not reach the treasury's range
        var s = Path.Reference[step];
        var later = Path.Reference[Math.Min(Path.Steps, step + Path.Scenario.Informed.HorizonSteps)];
        var inH = Units.Human(q.AmountInUsed);
        var outH = Units.Human(q.AmountOut);
        var feeH = Units.Human(q.FeeAmount);
        double inNow, outNow, inLater, outLater, fee;
        if (zeroForOne)
        {
            (inNow, outNow, inLater, outLater, fee) = (inH * s, outH, inH * later, outH, feeH * s);
            Token0In += q.AmountInUsed;
            Token1Out += q.AmountOut;
        }
        else
        {
            (inNow, outNow, inLater, outLater, fee) = (inH, outH * s, inH, outH * later, feeH);
            Token1In += q.AmountInUsed;
            Token0Out += q.AmountOut;
        }
        Fees += fee;
        Lvr += outNow - (inNow - fee);
        FeesBy[(int)trader] += fee;
        LvrBy[(int)trader] += outNow - (inNow - fee);
        Markout[(int)trader] += inLater - outLater;
        Volume[(int)trader] += inNow;
        SwapCount[(int)trader]++;
        return true;
    }
}

/// <summary>
/// The agents. Each decides from the venue's state, the reference price and the path's pre-drawn randomness only
/// (so the same path replays identically against any venue).
/// </summary>
public static class Agents
{
    /// <summary>The traders of step <paramref name="t"/>, in the order every mode uses: the arbitrageur on each pool, then informed, then noise.</summary>
    public static void Step(Market market, int t)
    {
        var path = market.Path;
        if (path.Scenario.Arbitrage.Enabled) foreach (var v in market.Venues) Arbitrage(market, v, t);
        for (var i = path.InformedStart[t]; i < path.InformedStart[t + 1]; i++) Informed(market, in path.Informed[i]);
        for (var i = path.NoiseStart[t]; i < path.NoiseStart[t + 1]; i++) Noise(market, in path.Noise[i], i);
    }

    /// <summary>The pool's price (the shared pool's, when other LPs are in it).</summary>
    public static double PoolPrice(IPoolVenue v) => v is SharedPoolVenue sv ? sv.PoolPrice : Units.Price(v.State.SqrtPriceX96);

    private const double Q96 = 79228162514264337593543950336.0;

    /// <summary>
    /// Trades <paramref name="venue"/> to the reference price when that pays after fee and gas: buying base moves the
    /// pool to √(s(1 − f)) (where the marginal ask P/(1 − f) meets s), selling to √(s/(1 − f)), capped at the range
    /// edge. Goes ahead only when the quoted trade's profit at s exceeds its swap gas.
    /// </summary>
    public static void Arbitrage(Market m, IPoolVenue venue, int step)
    {
        if (venue is SharedPoolVenue shared)
        {
            ArbitrageShared(m, shared, step);
            return;
        }
        ref readonly var st = ref venue.State;
        if (st.Liquidity.IsZero) return;
        var s = m.Path.Reference[step];
        var f = st.FeePips / 1e6;
        var sqrtP = (double)st.SqrtPriceX96 / Q96;
        var p = sqrtP * sqrtP;
        var l = (double)st.Liquidity;
        var gas = m.GasCostQuote(step, m.Path.Scenario.Arbitrage.SwapGas);
        // The continuous profit of the trade, computed first: when it is well below the gas (a gap the fee and gas
        // cover), the exact quote is not worth computing. The screen keeps a 2× margin, far above the doubles' error.
        if (s * (1 - f) > p)
        {
            // buy base: quote in, price up
            var target = Math.Min(Math.Sqrt(s * (1 - f)), (double)st.SqrtPriceHighX96 / Q96);
            var dy = l * (target - sqrtP) / (1 - f);
            var profit = (s * l * (1 / sqrtP - 1 / target) - dy) / Units.One;
            if (profit * 2 > gas) TryProfitable(m, venue, step, Trader.Arbitrageur, zeroForOne: false, dy, s, gas);
        }
        else if (s / (1 - f) < p)
        {
            // sell base: base in, price down
            var target = Math.Max(Math.Sqrt(s / (1 - f)), (double)st.SqrtPriceLowX96 / Q96);
            var dx = l * (1 / target - 1 / sqrtP) / (1 - f);
            var profit = (l * (sqrtP - target) - s * dx) / Units.One;
            if (profit * 2 > gas) TryProfitable(m, venue, step, Trader.Arbitrageur, zeroForOne: true, dx, s, gas);
        }
    }

    /// <summary>The arbitrageur on a pool shared with other LPs: the same targets, the amounts walked through the pool's summed liquidity.</summary>
    private static void ArbitrageShared(Market m, SharedPoolVenue venue, int step)
    {
        var s = m.Path.Reference[step];
        var f = venue.State.FeePips / 1e6;
        var p = venue.PoolPrice;
        var gas = m.GasCostQuote(step, m.Path.Scenario.Arbitrage.SwapGas);
        if (s * (1 - f) > p && venue.CanTrade(zeroForOne: false))
            TryProfitable(m, venue, step, Trader.Arbitrageur, zeroForOne: false, venue.AmountToReach(false, Math.Sqrt(s * (1 - f))), s, gas);
        else if (s / (1 - f) < p && venue.CanTrade(zeroForOne: true))
            TryProfitable(m, venue, step, Trader.Arbitrageur, zeroForOne: true, venue.AmountToReach(true, Math.Sqrt(s / (1 - f))), s, gas);
    }

    /// <summary>Swaps <paramref name="rawAmountIn"/> when its output minus its input, both valued at <paramref name="value"/>, beats <paramref name="gas"/>.</summary>
    private static bool TryProfitable(Market m, IPoolVenue venue, int step, Trader trader, bool zeroForOne, double rawAmountIn, double value, double gas)
    {
        if (!(rawAmountIn >= 1)) return false;
        var amount = rawAmountIn >= 3.4e38 ? UInt256.MaxUInt128 : (UInt256)(UInt128)rawAmountIn;
        if (venue.Quote(zeroForOne, amount) is not { } q) return false;
        var profit = zeroForOne
            ? Units.Human(q.AmountOut) - Units.Human(q.AmountInUsed) * value
            : Units.Human(q.AmountOut) * value - Units.Human(q.AmountInUsed);
        return profit > gas && m.Swap(venue, step, trader, zeroForOne, amount);
    }

    /// <summary>The venue that gives a taker the best marginal price on this side (null if none can trade it).</summary>
    public static IPoolVenue? Best(Market m, bool buysBase)
    {
        IPoolVenue? best = null;
        var bestPrice = buysBase ? double.PositiveInfinity : double.NegativeInfinity;
        foreach (var v in m.Venues)
        {
            ref readonly var st = ref v.State;
            double p;
            if (v is SharedPoolVenue sv)
            {
                if (!sv.CanTrade(zeroForOne: !buysBase)) continue;
                p = sv.PoolPrice;
            }
            else
            {
                if (st.Liquidity.IsZero || st.SqrtPriceX96 == (buysBase ? st.SqrtPriceHighX96 : st.SqrtPriceLowX96)) continue;
                p = Units.Price(st.SqrtPriceX96);
            }
            var f = st.FeePips / 1e6;
            if (buysBase ? p / (1 - f) < bestPrice : p * (1 - f) > bestPrice)
            {
                best = v;
                bestPrice = buysBase ? p / (1 - f) : p * (1 - f);
            }
        }
        return best;
    }

    /// <summary>A noise trader: goes ahead when its uniform is below e^(−k·fee) at the best venue, then trades its size
    /// whatever the price. With an outside venue (<c>venue.enabled</c>), see <see cref="Noise(Market, in NoiseArrival, int)"/>.</summary>
    public static void Noise(Market m, in NoiseArrival a) => Noise(m, a, -1);

    /// <summary>
    /// A noise trader, the <paramref name="index"/>-th arrival of the path. Without an outside venue as above. With one:
    /// a captive order (its uniform in <see cref="MarketPath.NoiseCaptive"/> below <c>venue.captive_share</c>) goes to
    /// the pool, thinned by e^(−k·fee); any other order goes to the pool when the pool's all-in cost — 1 − (value
    /// received / value paid) from the pool's exact quote for the whole order, valued at the pool's price (its fee and
    /// impact) or, with <c>pool_cost: execution</c>, at the reference — is at most the venue's
    /// (<see cref="OutsideVenueSettings.Cost"/>), else to the venue.
    /// </summary>
    public static void Noise(Market m, in NoiseArrival a, int index)
    {
        var settings = m.Path.Scenario.Venue;
        if (settings.Enabled)
        {
            Routed(m, a, index, settings);
            return;
        }
        if (Best(m, a.BuysBase) is not { } venue) return;
        var f = venue.State.FeePips / 1e6;
        if (a.Accept >= Math.Exp(-m.Path.Scenario.Noise.K * f)) return;
        var s = m.Path.Reference[a.Step];
        var amount = a.BuysBase ? Units.Raw(a.SizeQuote) : Units.Raw(a.SizeQuote / s);
        m.Swap(venue, a.Step, Trader.Noise, zeroForOne: !a.BuysBase, amount);
    }

    private static void Routed(Market m, in NoiseArrival a, int index, OutsideVenueSettings settings)
    {
        var s = m.Path.Reference[a.Step];
        var amount = a.BuysBase ? Units.Raw(a.SizeQuote) : Units.Raw(a.SizeQuote / s);
        var pool = Best(m, a.BuysBase);
        var captive = index >= 0 && m.Path.NoiseCaptive is { } c && index < c.Length && c[index] < settings.CaptiveShare;
        if (captive)
        {
            if (pool is null || a.Accept >= Math.Exp(-m.Path.Scenario.Noise.K * pool.State.FeePips / 1e6)) return;
            if (m.Swap(pool, a.Step, Trader.Noise, zeroForOne: !a.BuysBase, amount)) m.CaptiveToPool++;
            return;
        }
        var poolCost = double.PositiveInfinity;
        if (pool?.Quote(!a.BuysBase, amount) is { } q && Units.Human(q.AmountInUsed) >= Units.Human(amount) * (1 - 1e-9))
        {
            var at = settings.PoolCost == PoolCostModel.Execution ? s : PoolPrice(pool);
            var paid = Units.Human(q.AmountInUsed) * (a.BuysBase ? 1 : at);
            var got = Units.Human(q.AmountOut) * (a.BuysBase ? at : 1);
            poolCost = 1 - got / paid;
        }
        if (poolCost <= settings.Cost(a.SizeQuote) && m.Swap(pool!, a.Step, Trader.Noise, zeroForOne: !a.BuysBase, amount))
        {
            m.RoutedToPool++;
            return;
        }
        m.RoutedToVenue++;
        m.VenueVolume += a.SizeQuote;
    }

    /// <summary>An informed trader: knows the reference <c>horizon_steps</c> ahead; buys base when that is above the best ask, sells when below the best bid, if the trade pays after gas at that future price.</summary>
    public static void Informed(Market m, in InformedArrival a)
    {
        var future = m.Path.InformedTarget(a.Step);
        var s = m.Path.Reference[a.Step];
        var gas = m.GasCostQuote(a.Step, m.Path.Scenario.Arbitrage.SwapGas);
        if (Best(m, buysBase: true) is { } buyAt && future > PoolPrice(buyAt) / (1 - buyAt.State.FeePips / 1e6))
        {
            TryProfitable(m, buyAt, a.Step, Trader.Informed, zeroForOne: false, a.SizeQuote * Units.One, future, gas);
            return;
        }
        if (Best(m, buysBase: false) is { } sellAt && future < PoolPrice(sellAt) * (1 - sellAt.State.FeePips / 1e6))
            TryProfitable(m, sellAt, a.Step, Trader.Informed, zeroForOne: true, a.SizeQuote / s * Units.One, future, gas);
    }
}
