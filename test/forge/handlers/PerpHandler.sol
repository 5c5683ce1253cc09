// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {AggregatorV3Interface} from "../../../contracts/interfaces/AggregatorV3Interface.sol";
import {IPerpMarketEvents} from "../../../contracts/perp/interfaces/IPerpMarketEvents.sol";
import {PerpMarket} from "../../../contracts/perp/PerpMarket.sol";
import {TreasuryVault} from "../../../contracts/TreasuryVault.sol";
import {ManagedPool} from "../../../contracts/ManagedPool.sol";
import {VolatilityOracle} from "../../../contracts/oracles/VolatilityOracle.sol";
import {MintableERC20} from "../../../contracts/test/MintableERC20.sol";
import {System, Roles, Deploy} from "../base/Fixture.sol";
import {Vm, vm} from "../base/Vm.sol";

/// @notice PerpMarket under traffic: three traders deposit, withdraw and trade (dust to large, both ways, flips),
/// anyone liquidates and settles funding, the mark moves (reporter) and time passes (funding accrues, the mark goes
/// stale), and the vault hedges through the keeper's adjustHedge and the owner's closeHedge. Every market event of
/// every call is recorded (vm.recordLogs) into a ledger: deposits, withdrawals, liquidation penalties, realised PnL,
/// funding paid. The suite checks the books against it to the wei.
contract PerpHandler {
    PerpMarket public immutable market;
    TreasuryVault public immutable vault;
    ManagedPool public immutable pool;
    VolatilityOracle public immutable oracle;
    MintableERC20 public immutable quote;
    address public constant LIQUIDATOR = address(0x11C0);

    address[4] public accounts; // three traders and the vault

    // ledger (from the market's events)
    uint256 public deposited;
    uint256 public withdrawn;
    uint256 public penalties;
    int256 public realisedPnl;
    int256 public fundingPaid;
    uint256 public badDebtEvents;
    uint256 public liquidatedDeficits;

    // monotonic state seen so far
    uint256 public lastFees;
    uint256 public lastBadDebt;
    uint256 public monotonicViolations;

    // coverage
    uint256 public tradesOk;
    uint256 public liquidationsOk;
    uint256 public fundingSettlements;
    uint256 public hedgesOk;
    uint256 public hedgeClosesOk;
    uint256 public withdrawalsOk;

    constructor(System memory s) {
        market = s.market;
        vault = s.vault;
        pool = s.pool;
        oracle = s.oracle;
        quote = s.token1;
        accounts = [address(0xA1), address(0xA2), address(0xA3), address(s.vault)];
        for (uint256 i; i < 3; ++i) {
            vm.prank(accounts[i]);
            quote.approve(address(market), type(uint256).max);
        }
    }

    function accountCount() external pure returns (uint256) {
        return 4;
    }

    // ------------------------------------------------------------------ traders

    function depositMargin(uint256 who, uint256 amount) external {
        address a = accounts[who % 3];
        amount = _log(amount, 45); // up to ~35M QUOTE
        quote.mint(a, amount);
        bool ok;
        _begin();
        vm.prank(a);
        try market.depositMargin(amount) {
            ok = true;
        } catch {}
        _end(ok);
    }

    function withdrawMargin(uint256 who, uint256 amount) external {
        address a = accounts[who % 3];
        int256 m = market.accountOf(a).margin;
        amount = m > 0 && amount % 4 != 0 ? uint256(m) * (amount % 1001) / 1000 : _log(amount, 45);
        bool ok;
        _begin();
        vm.prank(a);
        try market.withdrawMargin(amount, a) {
            withdrawalsOk++;
            ok = true;
        } catch {}
        _end(ok);
    }

    /// @notice sizeDelta log-uniform up to ~2^80 base units (1.2M BASE), or (two times in three) sized to 1x..12x
    /// the account's margin at the mark, either sign; flipSeed % 5 == 0: close the position exactly (or flip it by
    /// twice its size).
    function trade(uint256 who, uint256 sizeSeed, uint256 flipSeed) external {
        address a = accounts[who % 3];
        int256 size = int256(_log(sizeSeed, 80));
        if (sizeSeed % 3 != 0) size = _leveraged(a, sizeSeed);
        if (sizeSeed % 2 == 0) size = -size;
        int256 current = market.accountOf(a).size;
        if (flipSeed % 5 == 0 && current != 0) size = flipSeed % 2 == 0 ? -current : -2 * current;
        if (size == 0) return;
        bool ok;
        _begin();
        vm.prank(a);
        try market.trade(size) {
            tradesOk++;
            ok = true;
        } catch {}
        _end(ok);
    }

    /// @dev |size| whose notional at the mark is 1..12 times the account's margin (0 when none or stale).
    function _leveraged(address a, uint256 seed) private view returns (int256) {
        int256 m = market.accountOf(a).margin;
        if (m <= 0) return 0;
        try market.markPrice() returns (uint256 p) {
            uint256 notional = uint256(m) * ((seed >> 16) % 12 + 1) * (1000 + (seed >> 32) % 1000) / 1000;
            return int256(notional * 1e36 / p);
        } catch {
            return 0;
        }
    }

    function liquidate(uint256 who) external {
        address a = accounts[who % 4];
        bool ok;
        _begin();
        vm.prank(LIQUIDATOR);
        try market.liquidate(a) {
            liquidationsOk++;
            ok = true;
        } catch {}
        _end(ok);
    }

    function settleFunding() external {
        bool ok;
        _begin();
        try market.settleFunding() returns (uint256 n) {
            if (n != 0) fundingSettlements++;
            ok = true;
        } catch {}
        _end(ok);
    }

    // ------------------------------------------------------------------ the vault's hedge

    function adjustHedge(int256 sizeSeed, int256 marginSeed) external {
        int256 size = sizeSeed % 500e18;
        int256 margin = marginSeed % 200_000e6;
        bool ok;
        _begin();
        vm.prank(Roles.KEEPER);
        try vault.adjustHedge(address(pool), size, margin) {
            hedgesOk++;
            ok = true;
        } catch {}
        _end(ok);
    }

    function closeHedge() external {
        bool ok;
        _begin();
        vm.prank(Roles.OWNER);
        try vault.closeHedge(address(pool)) {
            hedgeClosesOk++;
            ok = true;
        } catch {}
        _end(ok);
    }

    // ------------------------------------------------------------------ mark and time

    /// @notice The mark moves by -40%..+40% from the last answer (odd seeds) or from the initial 2000 (even seeds;
    /// keeps the walk bounded), or jumps to any answer in [1, 1e12] (one time in ten).
    function moveMark(uint256 moveSeed) external {
        (, int256 last,,,) = AggregatorV3Interface(address(oracle.priceFeed())).latestRoundData();
        int256 from = moveSeed % 2 == 1 ? last : Deploy.INITIAL_ANSWER;
        int256 price = moveSeed % 10 == 0
            ? int256((moveSeed >> 8) % 1e12) + 1
            : from * int256(6000 + (moveSeed >> 8) % 8001) / 10_000;
        vm.prank(Roles.REPORTER);
        try oracle.update(price, 65_000_000) {} catch {}
    }

    /// @notice 1 s .. 3 h (a funding interval is 1 h; past the 1 h heartbeat the mark is stale until moved again).
    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 3 hours + 1);
        vm.roll(block.number + 1);
    }

    // ------------------------------------------------------------------ ledger

    function _begin() private {
        vm.recordLogs();
    }

    /// @dev Reads the call's logs (forge records a reverted call's logs too: only a successful call's count).
    function _end(bool ok) private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        if (!ok) delete logs;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(market)) continue;
            bytes32 t = logs[i].topics[0];
            bytes memory d = logs[i].data;
            if (t == IPerpMarketEvents.MarginDeposited.selector) {
                deposited += abi.decode(d, (uint256));
            } else if (t == IPerpMarketEvents.MarginWithdrawn.selector) {
                withdrawn += abi.decode(d, (uint256));
            } else if (t == IPerpMarketEvents.FundingPaid.selector) {
                fundingPaid += abi.decode(d, (int256));
            } else if (t == IPerpMarketEvents.Traded.selector) {
                (,,, int256 pnl,) = abi.decode(d, (int256, int256, uint256, int256, uint256));
                realisedPnl += pnl;
            } else if (t == IPerpMarketEvents.Liquidated.selector) {
                (, uint256 p, int256 pnl, uint256 penalty, uint256 deficit) =
                    abi.decode(d, (int256, uint256, int256, uint256, uint256));
                p;
                realisedPnl += pnl;
                penalties += penalty;
                liquidatedDeficits += deficit;
            } else if (t == IPerpMarketEvents.BadDebt.selector) {
                badDebtEvents += abi.decode(d, (uint256));
            }
        }
        uint256 fees = market.feesCollected();
        uint256 bad = market.badDebt();
        if (fees < lastFees || bad < lastBadDebt) monotonicViolations++;
        (lastFees, lastBadDebt) = (fees, bad);
    }

    /// @dev log-uniform in [0, 2^maxBits).
    function _log(uint256 seed, uint256 maxBits) private pure returns (uint256) {
        uint256 bits = (seed >> 200) % (maxBits + 1);
        return bits == 0 ? 0 : seed % (uint256(1) << bits);
    }
}
