using System.Numerics;
using System.Text.Json;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Inputs;

namespace TreasuryManager.Keeper.Cycle;

/// <summary>
/// The Observe step: every managed pool's state, its policy in the vault, its feeds' latest rounds, its TWAP over
/// the policy's window and its swaps since the last cycle, plus the latest block and the base fee — in ONE JSON-RPC
/// batch per cycle. A read that fails marks only its own pool (<see cref="PoolObservation.Error"/>). Feed
/// addresses come from the previous cycle's policies; when the owner changes a feed, that cycle pays one extra
/// batch to learn the new feed's decimals.
/// </summary>
public sealed class ChainObserver
{
    private static readonly AbiFunction GetState = ManagedPool.Abi.GetFunction("getState()");
    private static readonly AbiFunction Consult = ManagedPool.Abi.GetFunction("consult(uint32)");
    private static readonly AbiFunction PolicyOf = TreasuryVault.Abi.GetFunction("policyOf(address)");
    private static readonly AbiFunction LatestRoundData = OracleFeed.Abi.GetFunction("latestRoundData()");
    private static readonly AbiFunction Decimals = OracleFeed.Abi.GetFunction("decimals()");
    private static readonly AbiFunction Token0 = ManagedPool.Abi.GetFunction("token0()");
    private static readonly AbiFunction Token1 = ManagedPool.Abi.GetFunction("token1()");
    private static readonly AbiFunction TokenDecimals = MintableERC20.Abi.GetFunction("decimals()");
    private static readonly AbiEvent SwapEvent = ManagedPool.Abi.GetEvent("Swap");
    private static readonly AbiFunction HedgePolicyOf = TreasuryVault.Abi.GetFunction("hedgePolicyOf(address)");

    private readonly EthClient _eth;
    private readonly Address _vault;
    private readonly IReadOnlyList<PoolIdentity> _pools;
    private readonly Dictionary<Address, int> _feedDecimals = new();
    private readonly Dictionary<Address, (Address Price, Address Volatility, uint TwapWindow)> _feedsOf = new();
    private readonly HashSet<Address> _hedged;
    private readonly Dictionary<Address, Address> _hedgeMarketOf = new();
    private long _lastLogBlock;

    private ChainObserver(EthClient eth, Address vault, IReadOnlyList<PoolIdentity> pools, long firstLogBlock, IEnumerable<Address>? hedged)
    {
        _eth = eth;
        _vault = vault;
        _pools = pools;
        _lastLogBlock = firstLogBlock - 1;
        _hedged = hedged is null ? [] : [.. hedged];
    }

    /// <summary>The pools whose hedge the Observe batch reads (the settings' Hedge:Ratio &gt; 0).</summary>
    public IReadOnlySet<Address> HedgedPools => _hedged;

    public IReadOnlyList<PoolIdentity> Pools => _pools;
    public Address Vault => _vault;

    /// <summary>
    /// Reads what never changes (tokens and their decimals, each policy's feeds and their decimals) in two batches
    /// and checks every pool is registered in the vault. Throws <see cref="KeeperSetupException"/> naming the pool.
    /// </summary>
    /// <param name="hedgedPools">Pools whose hedge (vault policy, market parameters, the vault's account) each batch also reads: four calls per pool.</param>
    public static async Task<ChainObserver> CreateAsync(EthClient eth, Address vault, IReadOnlyList<(Address Pool, string Label)> pools, int historyBlocks, CancellationToken ct = default, IEnumerable<Address>? hedgedPools = null)
    {
        if (pools.Count == 0) throw new KeeperSetupException("no pool to manage; list them under Pools in the configuration");
        var code = await eth.GetCodeAsync(vault, ct: ct).ConfigureAwait(false);
        if (code.Length == 0) throw new KeeperSetupException($"there is no contract at the vault address {vault} on {eth.Rpc.Endpoint}; check Vault in the configuration and the RPC URL");
        var requests = new List<RpcRequest> { new("eth_blockNumber") };
        foreach (var (pool, _) in pools)
        {
            requests.Add(Call(pool, Token0.EncodeCall()));
            requests.Add(Call(pool, Token1.EncodeCall()));
            requests.Add(Call(vault, PolicyOf.EncodeCall(pool)));
        }
        var first = await eth.Rpc.BatchAsync(requests, ct).ConfigureAwait(false);
        var block = Quantity.DecodeLong(first[0].GetResult().GetString()!, "block number");
        var tokens = new List<(Address T0, Address T1)>();
        var policies = new List<TreasuryVault.PolicyView>();
        for (var i = 0; i < pools.Count; i++)
        {
            var (pool, label) = pools[i];
            try
            {
                tokens.Add(((Address)Token0.DecodeOutput(Bytes(first[1 + 3 * i]))[0]!, (Address)Token1.DecodeOutput(Bytes(first[2 + 3 * i]))[0]!));
            }
            catch (Exception e) when (e is RpcException or EthereumFormatException)
            {
                throw new KeeperSetupException($"pool {label} ({pool}) is not a ManagedPool: {e.Message}; check Pools in the configuration");
            }
            var policy = TreasuryVault.PolicyView.FromAbi(PolicyOf.DecodeOutput(Bytes(first[3 + 3 * i]))[0]);
            if (!policy.Registered)
                throw new KeeperSetupException($"pool {label} ({pool}) is not registered in the vault {vault}; the owner must call registerPool, or remove it from Pools");
            policies.Add(policy);
        }

        var second = new List<RpcRequest>();
        foreach (var (t0, t1) in tokens)
        {
            second.Add(Call(t0, TokenDecimals.EncodeCall()));
            second.Add(Call(t1, TokenDecimals.EncodeCall()));
        }
        var answers = await eth.Rpc.BatchAsync(second, ct).ConfigureAwait(false);
        var identities = new List<PoolIdentity>();
        for (var i = 0; i < pools.Count; i++)
        {
            var d0 = (int)(BigInteger)TokenDecimals.DecodeOutput(Bytes(answers[2 * i]))[0]!;
            var d1 = (int)(BigInteger)TokenDecimals.DecodeOutput(Bytes(answers[2 * i + 1]))[0]!;
            identities.Add(new PoolIdentity(pools[i].Pool, pools[i].Label, tokens[i].T0, tokens[i].T1, d0, d1));
        }
        var observer = new ChainObserver(eth, vault, identities, Math.Max(0, block - historyBlocks), hedgedPools);
        for (var i = 0; i < pools.Count; i++) observer.Remember(pools[i].Pool, policies[i]);
        await observer.LearnFeedDecimalsAsync(ct).ConfigureAwait(false);
        await observer.LearnHedgeMarketsAsync(ct).ConfigureAwait(false);
        return observer;
    }

    /// <summary>One cycle's reads (one batch; a second only when a feed changed).</summary>
    public async Task<ChainObservation> ObserveAsync(CancellationToken ct = default)
    {
        var roundTrips = 1;
        var requests = new List<RpcRequest>
        {
            new("eth_getBlockByNumber", "latest", false),
            new("eth_feeHistory", "0x1", "latest", Array.Empty<double>()),
            new("eth_getLogs", new Dictionary<string, object>
            {
                ["address"] = _pools.Select(p => p.Pool.ToLowerHex()).ToArray(),
                ["fromBlock"] = Quantity.Encode(_lastLogBlock + 1),
                ["toBlock"] = "latest",
                ["topics"] = new object[] { SwapEvent.Topic0Hex },
            }),
        };
        var feeds = _feedsOf.Values.SelectMany(f => new[] { f.Price, f.Volatility }).Where(a => a != default).Distinct().ToArray();
        var perPool = 3;
        foreach (var pool in _pools)
        {
            var twapWindow = _feedsOf.TryGetValue(pool.Pool, out var f) ? f.TwapWindow : 600u;
            requests.Add(Call(pool.Pool, GetState.EncodeCall()));
            requests.Add(Call(_vault, PolicyOf.EncodeCall(pool.Pool)));
            requests.Add(Call(pool.Pool, Consult.EncodeCall(new BigInteger(twapWindow))));
        }
        var feedStart = requests.Count;
        foreach (var feed in feeds) requests.Add(Call(feed, LatestRoundData.EncodeCall()));
        // hedged pools: the policy, and on the market known from the previous read its parameters and the vault's account
        var hedgeStart = new Dictionary<Address, (int Index, Address Market)>();
        foreach (var pool in _pools)
        {
            if (!_hedged.Contains(pool.Pool)) continue;
            var market = _hedgeMarketOf.TryGetValue(pool.Pool, out var m) ? m : Address.Zero;
            hedgeStart[pool.Pool] = (requests.Count, market);
            requests.Add(Call(_vault, HedgePolicyOf.EncodeCall(pool.Pool)));
            if (market == Address.Zero) continue;
            requests.AddRange(Hedging.VaultPerpHedgeVenue.Requests(market, _vault));
        }

        var responses = await _eth.Rpc.BatchAsync(requests, ct).ConfigureAwait(false);
        var header = BlockHeader.FromJson(responses[0].GetResult());
        var baseFees = responses[1].GetResult().GetProperty("baseFeePerGas").EnumerateArray().Select(e => Quantity.Decode(e.GetString()!, "base fee")).ToArray();
        var baseFee = header.BaseFeePerGas ?? (baseFees.Length > 0 ? baseFees[0] : BigInteger.Zero);
        var nextBaseFee = baseFees.Length > 0 ? baseFees[^1] : baseFee;

        // swaps (a failed log read is not fatal: the estimators just miss this cycle's swaps, and the next cycle re-reads them)
        var swaps = new Dictionary<Address, List<SwapSeen>>();
        if (responses[2].Error is null)
        {
            foreach (var entry in responses[2].GetResult().EnumerateArray())
            {
                var log = LogEntry.FromJson(entry);
                if (log.Removed || log.BlockNumber > header.Number) continue;
                var decoded = SwapEvent.DecodeLog(log.Topics, log.Data);
                if (!swaps.TryGetValue(log.Address, out var list)) swaps[log.Address] = list = [];
                list.Add(new SwapSeen(log.BlockNumber, (bool)decoded.Arguments[2]!, (BigInteger)decoded.Arguments[3]!, (BigInteger)decoded.Arguments[4]!, (BigInteger)decoded.Arguments[6]!));
            }
            _lastLogBlock = header.Number;
        }

        var rounds = new Dictionary<Address, (FeedRound? Round, string? Error)>();
        for (var i = 0; i < feeds.Length; i++)
        {
            var r = responses[feedStart + i];
            if (r.Error is not null) { rounds[feeds[i]] = (null, $"feed {feeds[i]}: {r.Error.Message}"); continue; }
            try
            {
                var v = LatestRoundData.DecodeOutput(Bytes(r));
                rounds[feeds[i]] = _feedDecimals.TryGetValue(feeds[i], out var decimals)
                    ? (new FeedRound(feeds[i], (BigInteger)v[1]!, (long)(BigInteger)v[3]!, decimals), null)
                    : (null, $"feed {feeds[i]}: its decimals() could not be read");
            }
            catch (EthereumFormatException e)
            {
                rounds[feeds[i]] = (null, $"feed {feeds[i]}: {e.Message}");
            }
        }

        var changedFeeds = false;
        var observations = new PoolObservation[_pools.Count];
        for (var p = 0; p < _pools.Count; p++)
        {
            var identity = _pools[p];
            var baseIndex = 3 + perPool * p;
            var poolSwaps = swaps.TryGetValue(identity.Pool, out var s) ? (IReadOnlyList<SwapSeen>)s : [];
            try
            {
                var state = ManagedPool.PoolState.FromAbi(GetState.DecodeOutput(Bytes(responses[baseIndex]))[0]);
                var policy = TreasuryVault.PolicyView.FromAbi(PolicyOf.DecodeOutput(Bytes(responses[baseIndex + 1]))[0]);
                BigInteger? twap = responses[baseIndex + 2].Error is null ? (BigInteger)Consult.DecodeOutput(Bytes(responses[baseIndex + 2]))[0]! : null;
                var priceFeed = policy.Params.PriceFeed;
                var volFeed = policy.Params.VolatilityFeed;
                if (!_feedsOf.TryGetValue(identity.Pool, out var known) || known.Price != priceFeed || known.Volatility != volFeed || known.TwapWindow != (uint)policy.Params.TwapWindow)
                {
                    Remember(identity.Pool, policy);
                    changedFeeds = true;
                }
                var (price, priceError) = rounds.TryGetValue(priceFeed, out var pr) ? pr : (null, "its price feed changed this cycle");
                (FeedRound? Round, string? Error) vol = volFeed == default ? (null, null) : rounds.TryGetValue(volFeed, out var vr) ? vr : (null, "its volatility feed changed this cycle");
                var (twapError, twapReason) = twap is null ? ExplainConsult(responses[baseIndex + 2].Error!, (long)policy.Params.TwapWindow) : (null, HoldReason.ObserveFailed);
                var error = priceError ?? vol.Error ?? twapError;
                observations[p] = new PoolObservation(identity, state, policy, price, vol.Round, twap, poolSwaps, error)
                {
                    ErrorReason = priceError is null && vol.Error is null && twapError is not null ? twapReason : HoldReason.ObserveFailed,
                    Hedge = hedgeStart.TryGetValue(identity.Pool, out var h) ? ReadHedge(identity, responses, h.Index, h.Market) : null,
                };
            }
            catch (Exception e) when (e is RpcException or EthereumFormatException)
            {
                observations[p] = new PoolObservation(identity, null, null, null, null, null, poolSwaps, $"reading pool {identity.Label} failed: {e.Message}");
            }
        }
        if (changedFeeds)
        {
            await LearnFeedDecimalsAsync(ct).ConfigureAwait(false);
            roundTrips++;
        }
        return new ChainObservation(header.Number, header.Timestamp.ToUnixTimeSeconds(), baseFee, nextBaseFee, observations, roundTrips);
    }

    private PerpHedgeObservation ReadHedge(PoolIdentity identity, IReadOnlyList<RpcResponse> responses, int index, Address market)
    {
        var answer = responses[index];
        if (answer.Error is not null) return new PerpHedgeObservation(null, null, $"reading the hedge policy of {identity.Label} failed: {answer.Error.Message}");
        TreasuryVault.HedgePolicy policy;
        try
        {
            policy = TreasuryVault.HedgePolicy.FromAbi(HedgePolicyOf.DecodeOutput(Bytes(answer))[0]);
        }
        catch (EthereumFormatException e)
        {
            return new PerpHedgeObservation(null, null, $"reading the hedge policy of {identity.Label} failed: {e.Message}");
        }
        _hedgeMarketOf[identity.Pool] = policy.Market;
        if (policy.Market == Address.Zero) return new PerpHedgeObservation(policy, null, null);
        if (policy.Market != market)
            return new PerpHedgeObservation(policy, null, $"the hedge market of {identity.Label} changed to {policy.Market} this cycle; it is read from the next");
        var state = Hedging.VaultPerpHedgeVenue.Decode(identity.Pool, policy, responses[index + 1], responses[index + 2], responses[index + 3], identity.BaseDecimals, identity.QuoteDecimals, out var error);
        return new PerpHedgeObservation(policy, state, error);
    }

    private async Task LearnHedgeMarketsAsync(CancellationToken ct)
    {
        var pools = _pools.Where(p => _hedged.Contains(p.Pool)).ToArray();
        if (pools.Length == 0) return;
        var answers = await _eth.Rpc.BatchAsync(pools.Select(p => Call(_vault, HedgePolicyOf.EncodeCall(p.Pool))).ToArray(), ct).ConfigureAwait(false);
        for (var i = 0; i < pools.Length; i++)
        {
            if (answers[i].Error is not null) continue; // the cycle reports it
            _hedgeMarketOf[pools[i].Pool] = TreasuryVault.HedgePolicy.FromAbi(HedgePolicyOf.DecodeOutput(Bytes(answers[i]))[0]).Market;
        }
    }

    /// <summary>
    /// Why consult(window) failed: ObservationTooOld(target, oldest) means the pool's history starts after
    /// now − window — it covers the window in (oldest − target) s unless swaps overwrite the oldest slot first.
    /// </summary>
    private static (string Error, HoldReason Reason) ExplainConsult(RpcException error, long window)
    {
        if (RevertExplainer.Decode(error) is { } reason)
        {
            if (reason is { Kind: RevertKind.Custom, ErrorName: "ObservationTooOld" })
            {
                var target = (long)(BigInteger)reason.Arguments[0]!;
                var oldest = (long)(BigInteger)reason.Arguments[1]!;
                return ($"the pool's observations start {oldest - target} s too late for the policy's {window} s TWAP window; " +
                        $"wait about {oldest - target} s (if swaps keep overwriting the oldest slot, grow the pool's observation cardinality)",
                    HoldReason.TwapNotCovered);
            }
            return ($"consult({window}) reverted: {reason.Message}", HoldReason.ObserveFailed);
        }
        return ($"consult({window}) failed: {error.Message}", HoldReason.ObserveFailed);
    }

    private void Remember(Address pool, TreasuryVault.PolicyView policy) =>
        _feedsOf[pool] = (policy.Params.PriceFeed, policy.Params.VolatilityFeed, (uint)policy.Params.TwapWindow);

    private async Task LearnFeedDecimalsAsync(CancellationToken ct)
    {
        var unknown = _feedsOf.Values.SelectMany(f => new[] { f.Price, f.Volatility }).Where(a => a != default && !_feedDecimals.ContainsKey(a)).Distinct().ToArray();
        if (unknown.Length == 0) return;
        var answers = await _eth.Rpc.BatchAsync(unknown.Select(f => Call(f, Decimals.EncodeCall())).ToArray(), ct).ConfigureAwait(false);
        for (var i = 0; i < unknown.Length; i++)
        {
            if (answers[i].Error is not null) continue; // its pools report the feed's failure each cycle
            try
            {
                _feedDecimals[unknown[i]] = (int)(BigInteger)Decimals.DecodeOutput(Bytes(answers[i]))[0]!;
            }
            catch (EthereumFormatException)
            {
                // no code there, or not a feed (empty or short answer): only the pools naming it hold, each cycle
            }
        }
    }

    internal static RpcRequest Call(Address to, byte[] data) =>
        new("eth_call", new CallRequest { To = to, Data = data }.ToJson(), "latest");

    internal static byte[] Bytes(RpcResponse response) => Hex.Decode(response.GetResult().GetString()!, "eth_call result");
}

/// <summary>The keeper cannot start: the message names what is wrong and the fix.</summary>
public sealed class KeeperSetupException(string message) : Exception(message);
