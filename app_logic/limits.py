"""Every bound on what a user can type, upload, paste into a URL or ask to run: defined once, here.

Each bound has its reason beside it. The app runs on a shared 2-core server with one Python
process for every session: a bound keeps one user's request from exhausting it, and keeps every
figure readable. Everything else imports these names; `.streamlit/config.toml`'s
`maxUploadSize` repeats MAX_UPLOAD_BYTES in MiB (TOML cannot import), and a test checks it.
"""

from __future__ import annotations

from lstm_core.torch_bridge import MAX_PT_BYTES

# The shared input (sidebar): one sequence of T timesteps with D features.
MAX_T = 200  # timesteps: beyond this the heatmaps and the split of c_t stop being readable
MAX_D = 64  # features per timestep: a typed or CSV input wider than this is no longer "one cell"
MAX_ABS = 1e6  # |x|: far beyond any useful input, and safe in float32 (max ≈ 3.4e38)
MAX_TYPED_CHARS = 20_000  # typed numbers or text: T × D numbers with room for formatting
MAX_CSV_BYTES = 1_000_000  # an uploaded CSV: MAX_T × MAX_D numbers need far less than 1 MB
MAX_URL_TEXT = 4_000  # a typed input longer than this stays in the session, not in the link

# The shared model (sidebar).
MAX_HIDDEN = 64  # H: the cell figure and the heatmaps show one row per unit
MAX_LAYERS = 3  # stacked layers the unrolled network can draw side by side
MAX_SEED = 2**31 - 1  # every seed field: NumPy and torch both take it; a link cannot ask for more
HAND_RANGE = (
    -5.0,
    5.0,
)  # the hand-set cell's 12 numbers: σ(5) ≈ 0.993, a gate is fully open or shut
MAX_INDEX = 10_000  # a timestep or unit index in a link: clamped to the run afterwards

# Uploads (state_dicts on the Compare page). `.streamlit/config.toml` refuses bigger files first.
# The file as uploaded: a (4·64, 64) × 4 layers model is < 1 MB. lstm_core's .pt loader defines this
# bound as its own default (the core cannot import this floor), so it is taken from there.
MAX_UPLOAD_BYTES = MAX_PT_BYTES
# All members of a zip (.npz, or .pt: torch.save writes a zip), inflated. MAX_PARAM_VALUES float64
# numbers take 16 MB; a .pt as torch writes it is stored, not compressed.
MAX_INFLATED_BYTES = MAX_UPLOAD_BYTES
MAX_ZIP_MEMBERS = 1024  # a zip bomb of many tiny members costs time even when each is small
MAX_PARAM_VALUES = 2_000_000  # numbers in a state_dict: the page's largest model needs 0.2 M

# The Compare page runs torch and our core side by side (and central differences for gradients,
# 2 forward runs per parameter), so its sizes are smaller than the sidebar's.
COMPARE_LIMITS = {
    "input_size": (1, 64),
    "hidden_size": (1, 64),
    "num_layers": (1, 4),
    "proj_size": (0, 63),
    "seq_len": (1, 40),
    "batch": (1, 8),
    "seed": (0, MAX_SEED),
}
MAX_LENGTHS_CHARS = 200  # the typed list of sequence lengths: 8 numbers need far less

# The Train page: training runs in the server's process, a chunk per rerun.
MAX_TRAIN_STEPS = 2_000  # optimizer steps: every built-in task reaches its target well before
MAX_TRAIN_HIDDEN = 64  # H of the trained model: it must also fit the sidebar's MAX_HIDDEN
MAX_FORGET_BIAS = 4.0  # the initial forget-gate bias: σ(4) ≈ 0.98, already "keep everything"
MAX_TRAIN_TEXT = MAX_T  # the next-character text: the trained model also runs on it as an input

# The Variant lab races several models in the server's process, one step of each in turn: at
# these sizes one step of one variant takes about 3 ms here, so a race of MAX_RACE_VARIANTS
# variants over MAX_RACE_STEPS steps stays well under a minute on the shared 2-core machine.
MAX_RACE_VARIANTS = 4  # variants in one race: also what a chart of loss curves can still tell apart
MAX_RACE_STEPS = 400  # optimizer steps per variant: the default task is solved in about 200
MAX_RACE_HIDDEN = 16  # H of every racer: memory needs few units, and each unit costs time
RACE_LENGTH = (5, 40)  # the task's sequence length (delay / T): longer is harder and slower
