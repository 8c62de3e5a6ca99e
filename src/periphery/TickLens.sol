// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPool} from "../amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../amm/libraries/TickMath.sol";
import {ITickLens} from "./interfaces/ITickLens.sol";

/// @title TickLens
/// @notice See `ITickLens`.
contract TickLens is ITickLens {
    /// @inheritdoc ITickLens
    function getPopulatedTicksInWord(address pool, int16 wordPosition)
        external
        view
        returns (PopulatedTick[] memory populatedTicks)
    {
        uint256 bitmap = ICognitionPool(pool).tickBitmap(wordPosition);
        int24 tickSpacing = ICognitionPool(pool).tickSpacing();
        populatedTicks = new PopulatedTick[](_popCount(bitmap));
        uint256 n = populatedTicks.length;
        for (uint256 bit; bit < 256 && n > 0; ++bit) {
            if (bitmap & (1 << bit) != 0) {
                populatedTicks[--n] = _read(pool, ((int24(wordPosition) << 8) + int24(uint24(bit))) * tickSpacing);
            }
        }
    }

    /// @inheritdoc ITickLens
    function getPopulatedTicksInWordRange(address pool, int16 wordLower, int16 wordUpper)
        external
        view
        returns (PopulatedTick[] memory populatedTicks)
    {
        if (wordLower > wordUpper) revert InvalidWordRange(wordLower, wordUpper);
        int24 tickSpacing = ICognitionPool(pool).tickSpacing();
        uint256 words = uint256(int256(wordUpper) - wordLower) + 1;
        uint256[] memory bitmaps = new uint256[](words);
        uint256 count;
        for (uint256 i; i < words; ++i) {
            bitmaps[i] = ICognitionPool(pool).tickBitmap(int16(int256(wordLower) + int256(i)));
            count += _popCount(bitmaps[i]);
        }
        populatedTicks = new PopulatedTick[](count);
        uint256 n;
        for (uint256 i; i < words; ++i) {
            uint256 bitmap = bitmaps[i];
            int24 base = int24(int256(wordLower) + int256(i)) << 8;
            for (uint256 bit; bitmap != 0; ++bit) {
                if (bitmap & 1 != 0) populatedTicks[n++] = _read(pool, (base + int24(uint24(bit))) * tickSpacing);
                bitmap >>= 1;
            }
        }
    }

    /// @inheritdoc ITickLens
    function wordRange(int24 tickSpacing) public pure returns (int16 wordLower, int16 wordUpper) {
        int24 compressedMin = TickMath.MIN_TICK / tickSpacing;
        if (TickMath.MIN_TICK % tickSpacing != 0) compressedMin--;
        return (int16(compressedMin >> 8), int16((TickMath.MAX_TICK / tickSpacing) >> 8));
    }

    function _read(address pool, int24 tick) private view returns (PopulatedTick memory populated) {
        (uint128 liquidityGross, int128 liquidityNet,,,,,,) = ICognitionPool(pool).ticks(tick);
        populated = PopulatedTick(tick, liquidityNet, liquidityGross);
    }

    function _popCount(uint256 x) private pure returns (uint256 count) {
        for (; x != 0; ++count) {
            x &= x - 1;
        }
    }
}
