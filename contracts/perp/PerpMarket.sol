// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {FullMath} from "../libraries/FullMath.sol";
import {IPerpMarket, IPerpMarketActions, IPerpMarketState} from "./interfaces/IPerpMarket.sol";

/// @title PerpMarket
/// @notice A minimal perpetual futures market for local tests: one base/quote market, quote-token margin, signed
/// positions in base units, trades at the oracle mark price against the market itself (the market is every trade's
/// counterparty: fund it with quote so that it can pay winners), funding per interval, maintenance margin and
/// liquidation by anyone. No owner: every parameter is fixed at deployment.
/// @dev Units and exact formulas (all integer; the tests recompute them independently):
///  - price p: quote base units per base base unit, scaled by 1e36. From a feed answer a with d decimals:
///    e = 36 + decimals(quote) - decimals(base) - d; p = a * 10^e (e >= 0) or floor(a / 10^-e) (e < 0). The answer
///    must be fresh (block.timestamp <= updatedAt + heartbeat, else StalePrice) and > 0, and 0 < p < 2^192
///    (else NonPositivePrice): real pairs of 6..18-decimal tokens at prices 1e-8..1e8 give p in [1e4, 1e56] < 2^187.
///    Sizes are bounded by |size| <= 2^127 - 1; products size * p are taken in 512 bits (FullMath), exact.
///  - value(size, p) = floor(size * p / 1e36) (signed, rounded toward -infinity); notional = |value(size, p)|.
///  - funding: settleFunding (run first by trade, withdrawMargin with a position, and liquidate) settles
///    n = floor((now - lastFundingTime) / fundingInterval) whole intervals at once, at the rate and mark read then:
///    rateWad = fundingRateWad (no index feed) or trunc((p - pIndex) * 1e18 / pIndex) (premium of mark over index)
///    clamped to [-MAX_FUNDING_RATE_WAD, MAX_FUNDING_RATE_WAD]; while the index feed is stale or out of range the
///    intervals stay unsettled (lastFundingTime unchanged), so trades at the mark — e.g. an exit — still go through;
///    perInterval = trunc(rateWad * p / 1e18); fundingIndex += n * perInterval; lastFundingTime += n * interval.
///    (trunc: Solidity's signed division, toward zero.) An account pays
///    payment = ceil(size * (fundingIndex - account.fundingIndex) / 1e36) (margin -= payment; negative = received).
///    Rounding: the payer's payment is rounded up and the receiver's receipt down, so the market keeps the dust
///    (at most 1 quote unit per account settlement).
///  - trade(sizeDelta): realises the old position at p (margin += value(size, p) - openNotional), charges
///    fee = ceil(floor(|sizeDelta| * p / 1e36) * tradeFeePips / 1e6), then openNotional = value(size + sizeDelta, p).
///  - equity = margin + value(size, p) - openNotional (margin after funding); initial margin =
///    ceil(notional * initialMarginPips / 1e6), maintenance = ceil(notional * maintenanceMarginPips / 1e6).
///  - liquidate: when size != 0 and equity < maintenance: margin = equity, position closed,
///    penalty = min(floor(notional * liquidationPenaltyPips / 1e6), max(margin, 0)) to the liquidator,
///    then a negative margin is written off: badDebt += -margin, margin = 0 (event BadDebt).
contract PerpMarket is IPerpMarket, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    int256 private constant PRICE_SCALE = 1e36;
    /// @notice Largest |funding rate| per interval, 1e18 = 100% (the premium is clamped to it).
    int256 public constant MAX_FUNDING_RATE_WAD = 5e16;
    uint256 private constant MAX_PRICE = 1 << 192;
    int256 private constant WAD = 1e18;
    uint256 private constant PIPS = 1e6;

    IERC20 private immutable _quote;
    address private immutable _base;
    AggregatorV3Interface private immutable _markFeed;
    AggregatorV3Interface private immutable _indexFeed;
    int256 private immutable _markExp;
    int256 private immutable _indexExp;
    uint32 private immutable _heartbeat;
    uint32 private immutable _fundingInterval;
    int64 private immutable _fundingRateWad;
    uint24 private immutable _tradeFeePips;
    uint24 private immutable _initialMarginPips;
    uint24 private immutable _maintenanceMarginPips;
    uint24 private immutable _liquidationPenaltyPips;

    mapping(address => Account) private _accounts;

    /// @inheritdoc IPerpMarketState
    int256 public override fundingIndex;
    /// @inheritdoc IPerpMarketState
    uint256 public override lastFundingTime;
    /// @inheritdoc IPerpMarketState
    uint256 public override feesCollected;
    /// @inheritdoc IPerpMarketState
    uint256 public override badDebt;

    /// @param p The market's parameters (see IPerpMarketState.MarketParams); a bad one reverts with
    /// InvalidParam(name, value). Funding intervals start at the deployment block's time.
    constructor(MarketParams memory p) {
        if (address(p.quoteToken) == address(0)) revert InvalidParam("quoteToken", 0);
        if (p.baseToken == address(0)) revert InvalidParam("baseToken", 0);
        if (address(p.markFeed) == address(0)) revert InvalidParam("markFeed", 0);
        if (p.heartbeat == 0) revert InvalidParam("heartbeat", 0);
        if (p.fundingInterval == 0) revert InvalidParam("fundingInterval", 0);
        if (p.tradeFeePips >= PIPS) revert InvalidParam("tradeFeePips", p.tradeFeePips);
        if (p.maintenanceMarginPips == 0) revert InvalidParam("maintenanceMarginPips", 0);
        if (p.initialMarginPips <= p.maintenanceMarginPips || p.initialMarginPips > PIPS) {
            revert InvalidParam("initialMarginPips", p.initialMarginPips);
        }
        if (p.liquidationPenaltyPips > p.maintenanceMarginPips) {
            revert InvalidParam("liquidationPenaltyPips", p.liquidationPenaltyPips);
        }
        int256 units = int256(uint256(IERC20Metadata(address(p.quoteToken)).decimals()))
            - int256(uint256(IERC20Metadata(p.baseToken).decimals()));
        _markExp = _exponent(units, p.markFeed, "markFeed");
        _indexExp = address(p.indexFeed) == address(0) ? int256(0) : _exponent(units, p.indexFeed, "indexFeed");
        _quote = p.quoteToken;
        _base = p.baseToken;
        _markFeed = p.markFeed;
        _indexFeed = p.indexFeed;
        _heartbeat = p.heartbeat;
        _fundingInterval = p.fundingInterval;
        _fundingRateWad = p.fundingRateWad;
        _tradeFeePips = p.tradeFeePips;
        _initialMarginPips = p.initialMarginPips;
        _maintenanceMarginPips = p.maintenanceMarginPips;
        _liquidationPenaltyPips = p.liquidationPenaltyPips;
        lastFundingTime = block.timestamp;
    }

    function _exponent(int256 units, AggregatorV3Interface feed, string memory name) private view returns (int256 e) {
        uint8 d = feed.decimals();
        if (d > 36) revert InvalidParam(name, d);
        e = 36 + units - int256(uint256(d));
        if (e < -76 || e > 76) revert InvalidParam(name, uint256(d));
    }

    // ------------------------------------------------------------------ actions

    /// @inheritdoc IPerpMarketActions
    function depositMargin(uint256 amount) external override nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (amount > uint256(uint128(type(int128).max))) revert InvalidParam("amount", amount);
        _quote.safeTransferFrom(msg.sender, address(this), amount);
        _accounts[msg.sender].margin += int256(amount);
        emit MarginDeposited(msg.sender, amount);
    }

    /// @inheritdoc IPerpMarketActions
    /// @dev Without a position no price is read (margin can leave even while the feed is stale).
    function withdrawMargin(uint256 amount, address to) external override nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        Account storage a = _accounts[msg.sender];
        uint256 p;
        if (a.size != 0) {
            p = _markPrice();
            _settleFunding(p);
            _settleAccount(a, msg.sender);
        }
        int256 margin = a.margin;
        if (amount > uint256(uint128(type(int128).max)) || int256(amount) > margin) {
            revert InsufficientMargin(msg.sender, margin, amount);
        }
        margin -= int256(amount);
        if (a.size != 0) {
            int256 v = _value(a.size, p);
            int256 equity = margin + v - a.openNotional;
            uint256 im = _ratio(_abs(v), _initialMarginPips);
            if (equity < int256(im)) revert BelowInitialMargin(msg.sender, equity, im);
        }
        a.margin = margin;
        _quote.safeTransfer(to, amount);
        emit MarginWithdrawn(msg.sender, to, amount);
    }

    /// @inheritdoc IPerpMarketActions
    function trade(int256 sizeDelta) external override nonReentrant returns (uint256 fee) {
        if (sizeDelta == 0) revert ZeroAmount();
        uint256 p = _markPrice();
        _settleFunding(p);
        Account storage a = _accounts[msg.sender];
        _settleAccount(a, msg.sender);
        int256 size = a.size;
        int256 newSize = size + sizeDelta;
        if (newSize > type(int128).max || newSize < -type(int128).max) revert InvalidParam("sizeDelta", _abs(sizeDelta));
        int256 pnl = _value(size, p) - a.openNotional;
        fee = _ceilDivU(FullMath.mulDiv(_abs(sizeDelta), p, uint256(PRICE_SCALE)) * _tradeFeePips, PIPS);
        int256 margin = a.margin + pnl - int256(fee);
        int256 newNotional = _value(newSize, p);
        a.size = newSize;
        a.openNotional = newNotional;
        feesCollected += fee;
        bool reducing = size > 0 ? (newSize >= 0 && newSize < size) : (size < 0 && newSize <= 0 && newSize > size);
        if (!reducing) {
            // the position was just marked: equity = margin
            uint256 im = _ratio(_abs(newNotional), _initialMarginPips);
            if (margin < int256(im)) revert BelowInitialMargin(msg.sender, margin, im);
        }
        if (newSize == 0 && margin < 0) {
            uint256 deficit = uint256(-margin);
            badDebt += deficit;
            margin = 0;
            emit BadDebt(msg.sender, deficit);
        }
        a.margin = margin;
        emit Traded(msg.sender, sizeDelta, newSize, p, pnl, fee);
    }

    /// @inheritdoc IPerpMarketActions
    function settleFunding() external override nonReentrant returns (uint256 intervals) {
        return _settleFunding(_markPrice());
    }

    /// @inheritdoc IPerpMarketActions
    function liquidate(address account) external override nonReentrant returns (uint256 penalty, uint256 deficit) {
        uint256 p = _markPrice();
        _settleFunding(p);
        Account storage a = _accounts[account];
        _settleAccount(a, account);
        int256 size = a.size;
        int256 v = _value(size, p);
        int256 pnl = v - a.openNotional;
        int256 margin = a.margin + pnl;
        uint256 notional = _abs(v);
        uint256 mm = _ratio(notional, _maintenanceMarginPips);
        if (size == 0 || margin >= int256(mm)) revert NotLiquidatable(account, margin, mm);
        a.size = 0;
        a.openNotional = 0;
        if (margin > 0) {
            penalty = notional * _liquidationPenaltyPips / PIPS;
            if (penalty > uint256(margin)) penalty = uint256(margin);
            margin -= int256(penalty);
        } else if (margin < 0) {
            deficit = uint256(-margin);
            badDebt += deficit;
            margin = 0;
            emit BadDebt(account, deficit);
        }
        a.margin = margin;
        if (penalty != 0) _quote.safeTransfer(msg.sender, penalty);
        emit Liquidated(account, msg.sender, size, p, pnl, penalty, deficit);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Settles the whole intervals elapsed at mark `p` (see the contract notes).
    function _settleFunding(uint256 p) private returns (uint256 n) {
        uint256 last = lastFundingTime;
        n = (block.timestamp - last) / _fundingInterval;
        if (n == 0) return 0;
        (bool ok, int256 rate) = _fundingRate(p);
        if (!ok) return 0; // stale index: the intervals wait for a fresh one
        int256 index = fundingIndex + int256(n) * (rate * int256(p) / WAD);
        uint256 next = last + n * _fundingInterval;
        fundingIndex = index;
        lastFundingTime = next;
        emit FundingSettled(n, rate, p, index, next);
    }

    /// @dev The rate per interval (see the contract notes); ok = false while the index feed reverts, is stale or out
    /// of range.
    function _fundingRate(uint256 p) private view returns (bool ok, int256 rate) {
        if (address(_indexFeed) == address(0)) return (true, _fundingRateWad);
        try this.indexPrice() returns (uint256 ip) {
            int256 index = int256(ip);
            rate = (int256(p) - index) * WAD / index; // |p - index| < 2^192, * 1e18 < 2^252
            if (rate > MAX_FUNDING_RATE_WAD) rate = MAX_FUNDING_RATE_WAD;
            else if (rate < -MAX_FUNDING_RATE_WAD) rate = -MAX_FUNDING_RATE_WAD;
            return (true, rate);
        } catch {
            return (false, 0);
        }
    }

    /// @dev Charges the account's funding since its last settlement at the current index.
    function _settleAccount(Account storage a, address account) private {
        int256 index = fundingIndex;
        int256 delta = index - a.fundingIndex;
        if (delta == 0) return;
        a.fundingIndex = index;
        int256 size = a.size;
        if (size == 0) return;
        int256 payment = _fundingPayment(size, delta);
        a.margin -= payment;
        emit FundingPaid(account, payment);
    }

    /// @dev ceil(size * delta / 1e36): the payer pays the rounded-up amount, the receiver gets the rounded-down one.
    function _fundingPayment(int256 size, int256 delta) private pure returns (int256) {
        uint256 m = FullMath.mulDivRoundingUp(_abs(size), _abs(delta), uint256(PRICE_SCALE));
        uint256 f = FullMath.mulDiv(_abs(size), _abs(delta), uint256(PRICE_SCALE));
        // ceil of a positive product rounds up, of a negative one toward zero: -(floor(|product| / 1e36))
        return (size < 0) == (delta < 0) ? int256(m) : -int256(f);
    }

    function _markPrice() private view returns (uint256) {
        return _price(_markFeed, _markExp);
    }

    /// @dev A fresh, positive answer of `feed` scaled to quote units per base unit * 1e36.
    function _price(AggregatorV3Interface feed, int256 e) private view returns (uint256 p) {
        (, int256 answer,, uint256 updatedAt,) = feed.latestRoundData();
        if (block.timestamp > updatedAt + _heartbeat) revert StalePrice(address(feed), updatedAt, _heartbeat);
        if (answer <= 0 || answer >= int256(1 << 128)) revert NonPositivePrice(address(feed), answer);
        if (e >= 0) {
            uint256 scale = 10 ** uint256(e);
            if (uint256(answer) >= MAX_PRICE / scale + 1) revert NonPositivePrice(address(feed), answer);
            p = uint256(answer) * scale;
        } else {
            p = uint256(answer) / 10 ** uint256(-e);
        }
        if (p == 0 || p >= MAX_PRICE) revert NonPositivePrice(address(feed), answer);
    }

    /// @dev floor(size * p / 1e36), signed, toward -infinity (512-bit product: |size| < 2^128, p < 2^192).
    function _value(int256 size, uint256 p) private pure returns (int256) {
        return size >= 0
            ? int256(FullMath.mulDiv(uint256(size), p, uint256(PRICE_SCALE)))
            : -int256(FullMath.mulDivRoundingUp(uint256(-size), p, uint256(PRICE_SCALE)));
    }

    function _ratio(uint256 notional, uint256 pips) private pure returns (uint256) {
        return _ceilDivU(notional * pips, PIPS);
    }

    function _ceilDivU(uint256 a, uint256 d) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / d + 1;
    }

    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IPerpMarketState
    function params() external view override returns (MarketParams memory) {
        return MarketParams({
            quoteToken: _quote,
            baseToken: _base,
            markFeed: _markFeed,
            indexFeed: _indexFeed,
            heartbeat: _heartbeat,
            fundingInterval: _fundingInterval,
            fundingRateWad: _fundingRateWad,
            tradeFeePips: _tradeFeePips,
            initialMarginPips: _initialMarginPips,
            maintenanceMarginPips: _maintenanceMarginPips,
            liquidationPenaltyPips: _liquidationPenaltyPips
        });
    }

    /// @inheritdoc IPerpMarketState
    function accountOf(address account) external view override returns (Account memory) {
        return _accounts[account];
    }

    /// @inheritdoc IPerpMarketState
    function accountView(address account) external view override returns (AccountView memory v) {
        Account memory a = _accounts[account];
        v.size = a.size;
        v.margin = a.margin;
        if (a.size == 0) return v;
        uint256 p = _markPrice();
        int256 index = fundingIndex;
        uint256 n = (block.timestamp - lastFundingTime) / _fundingInterval;
        if (n != 0) {
            (bool ok, int256 rate) = _fundingRate(p);
            if (ok) index += int256(n) * (rate * int256(p) / WAD);
        }
        v.margin -= _fundingPayment(a.size, index - a.fundingIndex);
        int256 value = _value(a.size, p);
        v.markPrice = p;
        v.unrealizedPnl = value - a.openNotional;
        v.equity = v.margin + v.unrealizedPnl;
        v.notional = _abs(value);
        v.initialMargin = _ratio(v.notional, _initialMarginPips);
        v.maintenanceMargin = _ratio(v.notional, _maintenanceMarginPips);
    }

    /// @inheritdoc IPerpMarketState
    function markPrice() external view override returns (uint256) {
        return _markPrice();
    }

    /// @inheritdoc IPerpMarketState
    function indexPrice() external view override returns (uint256) {
        if (address(_indexFeed) == address(0)) revert IndexFeedNotSet();
        return _price(_indexFeed, _indexExp);
    }
}
