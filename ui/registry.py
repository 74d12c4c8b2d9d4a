"""Every page of the app, in menu order: (group, file under pages/, title, material icon, url path).

app.py builds the navigation from this list; the tests use it to visit every page.
"""

PAGES = [
    ("Start", "start/home.py", "Lesson map", "map", ""),
    ("Convolution", "convolution/conv1d.py", "1D convolution", "linear_scale", "conv1d"),
    ("Convolution", "convolution/conv2d.py", "2D convolution", "grid_on", "conv2d"),
    ("Convolution", "convolution/padding.py", "Padding, stride and dilation", "padding", "padding"),
    ("Convolution", "convolution/pooling.py", "Pooling", "filter_center_focus", "pooling"),
    ("Convolution", "convolution/matrix.py", "Convolution as a matrix", "table", "matrix"),
    ("Convolution", "convolution/backward.py", "Backward pass", "undo", "backward"),
    ("Convolution", "convolution/why.py", "Why convolution", "lightbulb", "why"),
    ("Convolution", "convolution/variants.py", "Grouped, depthwise and 1×1", "call_split", "variants"),
    ("Convolution", "convolution/conv3d.py", "3D convolution", "view_in_ar", "conv3d"),
    ("Sequences", "sequences/dna.py", "DNA motifs: a 1D CNN", "genetics", "dna"),
    ("Sequences", "sequences/audio.py", "Sound: waveform and spectrogram", "graphic_eq", "audio"),
    ("Sequences", "sequences/causal.py", "Causal and dilated convolution", "timeline", "causal"),
    ("Images", "images/features.py", "Feature maps", "image", "features"),
    ("Images", "images/layers.py", "Network explorer", "layers", "layers"),
    ("Images", "images/occlusion.py", "Explanations", "visibility_off", "occlusion"),
    ("Images", "images/patches.py", "Top patches", "grid_view", "patches"),
    ("Images", "images/find_faces.py", "Find the face", "center_focus_strong", "find-faces"),
    ("Images", "images/featvis.py", "Feature visualisation", "auto_awesome", "featvis"),
    ("Images", "images/style.py", "Style transfer", "palette", "style"),
    ("Training", "training/lab.py", "Training lab", "model_training", "training"),
    ("Deep networks", "deep/batchnorm.py", "Batch normalization", "equalizer", "batchnorm"),
    ("Deep networks", "deep/dropout.py", "Dropout", "grain", "dropout"),
    ("Deep networks", "deep/activations.py", "Activations and vanishing gradients", "show_chart", "activations"),
    ("Deep networks", "deep/init.py", "Initialisation", "casino", "init"),
    ("Deep networks", "deep/optimizers.py", "Optimisers on a loss surface", "route", "optimizers"),
    ("Deep networks", "deep/mlp_vs_cnn.py", "MLP vs CNN", "compare", "mlp-vs-cnn"),
    ("Classroom", "classroom/exercises.py", "Exercises", "quiz", "exercises"),
    ("Classroom", "classroom/teacher.py", "Exercise sets for teachers", "school", "teacher"),
    ("Classroom", "classroom/dashboard.py", "Class dashboard", "monitoring", "dashboard"),
]
