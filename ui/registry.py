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
    ("Images", "images/features.py", "Feature maps", "image", "features"),
    ("Images", "images/layers.py", "Network explorer", "layers", "layers"),
    ("Images", "images/occlusion.py", "Occlusion", "visibility_off", "occlusion"),
    ("Training", "training/lab.py", "Training lab", "model_training", "training"),
    ("Classroom", "classroom/exercises.py", "Exercises", "quiz", "exercises"),
    ("Classroom", "classroom/teacher.py", "Exercise sets for teachers", "school", "teacher"),
]
